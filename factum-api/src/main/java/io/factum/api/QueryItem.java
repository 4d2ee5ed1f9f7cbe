package io.factum.api;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One item of a {@link Query}: it matches an event whose type is one of {@link #types} (any type
 * when the list is empty) and that carries every one of {@link #tags}.
 *
 * <p>An item names at least one type or one tag: an item with neither would match every event,
 * which is {@code $all}, and a read by query must cost in proportion to what it matches, not to the
 * size of the log.
 *
 * @param types event types, any one of which matches; empty for any type
 * @param tags tags the event must all carry; empty for no tag requirement
 */
public record QueryItem(List<String> types, List<String> tags) {

    public QueryItem {
        Objects.requireNonNull(types, "types");
        Objects.requireNonNull(tags, "tags");
        types = List.copyOf(types);
        tags = List.copyOf(tags);
        if (types.isEmpty() && tags.isEmpty()) {
            throw new InvalidInputException(
                    "query item",
                    "{}",
                    "names no type and no tag, so it would match every event; name at least one, or read $all");
        }
    }

    /** Events of any of these types. */
    public static QueryItem types(String... types) {
        return new QueryItem(Arrays.asList(types), List.of());
    }

    /** Events carrying all of these tags, of any type. */
    public static QueryItem tagged(String... tags) {
        return new QueryItem(List.of(), Arrays.asList(tags));
    }

    /** This item restricted to events that also carry these tags. */
    public QueryItem withTags(String... more) {
        List<String> all = new java.util.ArrayList<>(tags);
        all.addAll(Arrays.asList(more));
        return new QueryItem(types, all);
    }

    public boolean matches(String type, List<String> eventTags) {
        if (!types.isEmpty() && !types.contains(type)) {
            return false;
        }
        for (String tag : tags) {
            if (!eventTags.contains(tag)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        if (!types.isEmpty()) {
            out.append("types=").append(String.join("|", types));
        }
        if (!tags.isEmpty()) {
            if (out.length() > 1) {
                out.append(' ');
            }
            out.append("tags=").append(String.join(",", tags));
        }
        return out.append('}').toString();
    }
}
