package io.factum.server.persistent;

import io.factum.api.EventFilter;
import io.factum.api.InvalidInputException;
import java.util.List;
import java.util.Objects;

/**
 * The filter of a {@code $all} group in a form that can be stored with the group's configuration.
 * Regular expressions are found anywhere in the name ({@link java.util.regex.Matcher#find()}).
 *
 * @param kind what is matched, and how
 * @param values the regex (one) or the prefixes (at least one); empty for {@link Kind#NONE}
 */
public record FilterSpec(Kind kind, List<String> values) {

    /** What a filter matches. */
    public enum Kind {
        NONE,
        STREAM_REGEX,
        STREAM_PREFIX,
        TYPE_REGEX,
        TYPE_PREFIX
    }

    public FilterSpec {
        Objects.requireNonNull(kind, "kind");
        values = List.copyOf(values);
        switch (kind) {
            case NONE -> {
                if (!values.isEmpty()) {
                    throw new InvalidInputException("filter", values, "no filter takes no values");
                }
            }
            case STREAM_REGEX, TYPE_REGEX -> {
                if (values.size() != 1) {
                    throw new InvalidInputException("filter", values, "a regex filter takes exactly one expression");
                }
            }
            case STREAM_PREFIX, TYPE_PREFIX -> {
                if (values.isEmpty()) {
                    throw new InvalidInputException("filter", values, "a prefix filter needs at least one prefix");
                }
            }
        }
        toFilter(kind, values); // compiles the regex: a bad one is refused here, not at delivery
    }

    public static FilterSpec none() {
        return new FilterSpec(Kind.NONE, List.of());
    }

    public EventFilter toFilter() {
        return toFilter(kind, values);
    }

    private static EventFilter toFilter(Kind kind, List<String> values) {
        return switch (kind) {
            case NONE -> EventFilter.none();
            case STREAM_REGEX -> EventFilter.streamNameRegex(values.getFirst());
            case STREAM_PREFIX -> new EventFilter.StreamNamePrefix(values);
            case TYPE_REGEX -> EventFilter.eventTypeRegex(values.getFirst());
            case TYPE_PREFIX -> new EventFilter.EventTypePrefix(values);
        };
    }
}
