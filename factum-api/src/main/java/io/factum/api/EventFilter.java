package io.factum.api;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A server-side filter for {@code $all} reads and subscriptions, as KurrentDB defines them: on the
 * stream name or the event type, by prefixes or by a regular expression (found anywhere in the
 * name, as {@link java.util.regex.Matcher#find()} does).
 */
public sealed interface EventFilter
        permits EventFilter.None,
                EventFilter.StreamNamePrefix,
                EventFilter.StreamNameRegex,
                EventFilter.EventTypePrefix,
                EventFilter.EventTypeRegex {

    boolean matches(String stream, String eventType);

    default boolean matches(RecordedEvent event) {
        return matches(event.stream(), event.type());
    }

    /** Every event. */
    record None() implements EventFilter {
        @Override
        public boolean matches(String stream, String eventType) {
            return true;
        }
    }

    record StreamNamePrefix(List<String> prefixes) implements EventFilter {
        public StreamNamePrefix {
            prefixes = requirePrefixes(prefixes, "streamNamePrefix");
        }

        @Override
        public boolean matches(String stream, String eventType) {
            return anyPrefix(prefixes, stream);
        }
    }

    record StreamNameRegex(Pattern pattern) implements EventFilter {
        public StreamNameRegex {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matches(String stream, String eventType) {
            return pattern.matcher(stream).find();
        }
    }

    record EventTypePrefix(List<String> prefixes) implements EventFilter {
        public EventTypePrefix {
            prefixes = requirePrefixes(prefixes, "eventTypePrefix");
        }

        @Override
        public boolean matches(String stream, String eventType) {
            return anyPrefix(prefixes, eventType);
        }
    }

    record EventTypeRegex(Pattern pattern) implements EventFilter {
        public EventTypeRegex {
            Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public boolean matches(String stream, String eventType) {
            return pattern.matcher(eventType).find();
        }
    }

    static EventFilter none() {
        return new None();
    }

    static EventFilter streamNamePrefix(String... prefixes) {
        return new StreamNamePrefix(List.of(prefixes));
    }

    static EventFilter eventTypePrefix(String... prefixes) {
        return new EventTypePrefix(List.of(prefixes));
    }

    static EventFilter streamNameRegex(String regex) {
        return new StreamNameRegex(compile("streamNameRegex", regex));
    }

    static EventFilter eventTypeRegex(String regex) {
        return new EventTypeRegex(compile("eventTypeRegex", regex));
    }

    /** Leaves out events of system streams (names starting with {@code $}). */
    static EventFilter excludeSystemStreams() {
        return streamNameRegex("^[^$]");
    }

    /** Leaves out system events (types starting with {@code $}), as KurrentDB's ExcludeSystemEvents. */
    static EventFilter excludeSystemEvents() {
        return eventTypeRegex("^[^$]");
    }

    private static Pattern compile(String field, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException(field, regex, "is not a valid regular expression: " + e.getDescription());
        }
    }

    private static List<String> requirePrefixes(List<String> prefixes, String field) {
        List<String> copy = List.copyOf(prefixes);
        if (copy.isEmpty()) {
            throw new InvalidInputException(field, "[]", "needs at least one prefix");
        }
        return copy;
    }

    private static boolean anyPrefix(List<String> prefixes, String value) {
        for (String prefix : prefixes) {
            if (value.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
