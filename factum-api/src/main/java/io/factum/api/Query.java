package io.factum.api;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Selects the events a decision depends on, by event type and tags (a dynamic consistency
 * boundary, as dcb.events defines it). An event matches the query when it matches any of its
 * {@link QueryItem items}.
 *
 * <p>A query has at least one item: "every event" is {@code $all}, read with {@link
 * EventStore#readAll}. Reads by query return stored events whatever their stream's metadata says,
 * as reads of {@code $all} do: a consistency boundary is about what was decided, not about what a
 * stream's retention shows.
 */
public record Query(List<QueryItem> items) {

    public Query {
        Objects.requireNonNull(items, "items");
        if (items.isEmpty()) {
            throw new InvalidInputException(
                    "query", "[]", "a query needs at least one item; to read every event, read $all");
        }
        items = List.copyOf(items);
    }

    public static Query of(QueryItem... items) {
        return new Query(Arrays.asList(items));
    }

    /** A query of one item: events of one of these types (any type when empty) carrying all tags. */
    public static Query of(List<String> types, List<String> tags) {
        return new Query(List.of(new QueryItem(types, tags)));
    }

    /** Events carrying every one of these tags, of any type. */
    public static Query tagged(String... tags) {
        return of(QueryItem.tagged(tags));
    }

    /** Whether an event of this type carrying these tags matches. */
    public boolean matches(String type, List<String> tags) {
        for (QueryItem item : items) {
            if (item.matches(type, tags)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(RecordedEvent event) {
        return matches(event.type(), event.tags());
    }

    /** A query that also matches the items of {@code other}. */
    public Query or(Query other) {
        List<QueryItem> all = new java.util.ArrayList<>(items);
        all.addAll(other.items);
        return new Query(all);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (QueryItem item : items) {
            if (!out.isEmpty()) {
                out.append(" OR ");
            }
            out.append(item);
        }
        return out.toString();
    }
}
