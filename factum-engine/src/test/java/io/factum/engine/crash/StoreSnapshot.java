package io.factum.engine.crash;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.SystemNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a store holds, read once through the public API: all of {@code $all} forwards, every user
 * stream (names not starting with {@code $}) read forwards with {@code readStream}, and each of
 * {@link EventPayload#QUERIES} read forwards with {@code readByQuery}. A stream
 * that reads as not found maps to an empty list. The checker compares the two views.
 *
 * @param all every record of {@code $all}, in the order returned
 * @param streams each user stream's events as {@code readStream} returned them
 * @param headPosition what {@link EventStore#headPosition()} said after the reads
 */
record StoreSnapshot(
        List<RecordedEvent> all,
        Map<String, List<RecordedEvent>> streams,
        long headPosition,
        Map<Query, List<RecordedEvent>> queries) {

    /** Page size of the reads: small enough to exercise paging, large enough to be quick. */
    private static final int PAGE = 2048;

    StoreSnapshot {
        all = List.copyOf(all);
        Map<String, List<RecordedEvent>> copy = new LinkedHashMap<>();
        streams.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        streams = java.util.Collections.unmodifiableMap(copy);
        Map<Query, List<RecordedEvent>> byQuery = new LinkedHashMap<>();
        queries.forEach((k, v) -> byQuery.put(k, List.copyOf(v)));
        queries = java.util.Collections.unmodifiableMap(byQuery);
    }

    /** A snapshot whose query views agree with {@code all} by construction. */
    StoreSnapshot(List<RecordedEvent> all, Map<String, List<RecordedEvent>> streams, long headPosition) {
        this(all, streams, headPosition, matchesIn(all));
    }

    /** What each of {@link EventPayload#QUERIES} must return: the matching records of {@code all}. */
    static Map<Query, List<RecordedEvent>> matchesIn(List<RecordedEvent> all) {
        Map<Query, List<RecordedEvent>> out = new LinkedHashMap<>();
        for (Query query : EventPayload.QUERIES) {
            out.put(query, all.stream().filter(query::matches).toList());
        }
        return out;
    }

    /**
     * Reads the store. {@code alsoStreams} are read even when {@code $all} holds none of their
     * events (streams the workload wrote to, whose events must then all be absent).
     *
     * @throws IllegalStateException when a paged read makes no progress
     */
    static StoreSnapshot read(EventStore store, Collection<String> alsoStreams) {
        List<RecordedEvent> all = readAll(store);
        Set<String> names = new LinkedHashSet<>();
        all.forEach(e -> names.add(e.stream()));
        names.addAll(alsoStreams);
        Map<String, List<RecordedEvent>> streams = new LinkedHashMap<>();
        for (String name : names) {
            if (!SystemNames.isSystemStream(name)) {
                streams.put(name, readStream(store, name));
            }
        }
        Map<Query, List<RecordedEvent>> queries = new LinkedHashMap<>();
        for (Query query : EventPayload.QUERIES) {
            queries.put(query, readQuery(store, query));
        }
        return new StoreSnapshot(all, streams, store.headPosition(), queries);
    }

    private static List<RecordedEvent> readQuery(EventStore store, Query query) {
        List<RecordedEvent> events = new ArrayList<>();
        long from = 0;
        while (true) {
            QueryReadResult page = store.readByQuery(query, from, Direction.FORWARDS, PAGE);
            events.addAll(page.events());
            if (page.events().size() < PAGE) {
                return events;
            }
            from = page.events().getLast().position() + 1;
        }
    }

    /** A snapshot whose stream views agree with {@code all} by construction (for synthetic tests). */
    static StoreSnapshot consistentWith(List<RecordedEvent> all) {
        Map<String, List<RecordedEvent>> streams = new LinkedHashMap<>();
        for (RecordedEvent e : all) {
            if (!SystemNames.isSystemStream(e.stream())) {
                streams.computeIfAbsent(e.stream(), k -> new ArrayList<>()).add(e);
            }
        }
        return new StoreSnapshot(
                all, streams, all.isEmpty() ? -1 : all.getLast().position());
    }

    private static List<RecordedEvent> readAll(EventStore store) {
        List<RecordedEvent> all = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadAllResult page = store.readAll(ReadAllOptions.forwards(from, PAGE));
            all.addAll(page.events());
            if (page.endOfAll()) {
                return all;
            }
            if (page.nextPosition() <= from) {
                throw new IllegalStateException("readAll from " + from + " made no progress: next position "
                        + page.nextPosition() + ", endOfAll false");
            }
            from = page.nextPosition();
        }
    }

    private static List<RecordedEvent> readStream(EventStore store, String stream) {
        List<RecordedEvent> events = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadStreamResult page = store.readStream(stream, from, Direction.FORWARDS, PAGE);
            if (!(page instanceof ReadStreamResult.Found found)) {
                return events;
            }
            events.addAll(found.events());
            if (found.endOfStream()) {
                return events;
            }
            if (found.events().isEmpty()) {
                throw new IllegalStateException(
                        "readStream " + stream + " from " + from + " returned no events but endOfStream false");
            }
            from = found.events().getLast().version() + 1;
        }
    }
}
