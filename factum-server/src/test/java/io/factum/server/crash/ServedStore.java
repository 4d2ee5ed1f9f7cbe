package io.factum.server.crash;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.Position;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.ReadResult;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.RecordedEvent;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.StreamNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What a server serves, read through the official client: all of {@code $all} forwards, and every
 * stream that {@code $all} names or the workload wrote to, read forwards with {@code readStream} (a
 * stream that is not found reads as empty).
 *
 * @param all {@code $all} in the order served
 * @param streams each stream's events as {@code readStream} served them
 */
record ServedStore(List<Event> all, Map<String, List<Event>> streams) {

    /** Page size of the reads: several pages per check, so paging is exercised. */
    private static final int PAGE = 4096;

    private static final long CALL_TIMEOUT_SECONDS = 60;

    /** One event as served, with everything the checker compares. */
    record Event(
            UUID id,
            String stream,
            long revision,
            long commit,
            long prepare,
            String type,
            String contentType,
            byte[] data,
            byte[] metadata) {

        static Event of(RecordedEvent e) {
            return new Event(
                    e.getEventId(),
                    e.getStreamId(),
                    e.getRevision(),
                    e.getPosition().getCommitUnsigned(),
                    e.getPosition().getPrepareUnsigned(),
                    e.getEventType(),
                    e.getContentType(),
                    e.getEventData(),
                    e.getUserMetadata());
        }

        /** The same event: every field, the bytes by content. */
        boolean sameAs(Event o) {
            return id.equals(o.id)
                    && stream.equals(o.stream)
                    && revision == o.revision
                    && commit == o.commit
                    && prepare == o.prepare
                    && type.equals(o.type)
                    && contentType.equals(o.contentType)
                    && Arrays.equals(data, o.data)
                    && Arrays.equals(metadata, o.metadata);
        }

        @Override
        public String toString() {
            return stream + "@" + revision + " (position " + commit + (prepare == commit ? "" : "/" + prepare) + ", id "
                    + id + ", type " + type + ")";
        }

        // equals/hashCode by identity would mislead: compare with sameAs.
        @Override
        public boolean equals(Object o) {
            return o instanceof Event e && sameAs(e);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }
    }

    static ServedStore read(EventStoreDBClient client, Collection<String> alsoStreams) throws Exception {
        List<Event> all = readAll(client);
        Set<String> names = new LinkedHashSet<>();
        all.forEach(e -> names.add(e.stream()));
        names.addAll(alsoStreams);
        names.removeIf(n -> n.startsWith("$"));
        Map<String, List<Event>> streams = new ConcurrentHashMap<>();
        // Many small calls: a few at a time over one connection keeps the check short.
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(
                8, Thread.ofVirtual().name("check-read-", 0).factory())) {
            List<Future<?>> reads = new ArrayList<>();
            for (String name : names) {
                reads.add(pool.submit(() -> {
                    streams.put(name, readStream(client, name));
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get();
            }
        }
        return new ServedStore(all, Map.copyOf(streams));
    }

    private static List<Event> readAll(EventStoreDBClient client) throws Exception {
        List<Event> all = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadResult page = client.readAll(ReadAllOptions.get()
                            .forwards()
                            .fromPosition(new Position(from, from))
                            .maxCount(PAGE))
                    .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (ResolvedEvent e : page.getEvents()) {
                all.add(Event.of(e.getOriginalEvent()));
            }
            if (page.getEvents().size() < PAGE) {
                return all;
            }
            long next = all.getLast().commit() + 1;
            if (next <= from) {
                throw new IllegalStateException(
                        "$all read from " + from + " made no progress (last " + (next - 1) + ")");
            }
            from = next;
        }
    }

    private static List<Event> readStream(EventStoreDBClient client, String stream) throws Exception {
        List<Event> events = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadResult page;
            try {
                page = client.readStream(
                                stream,
                                ReadStreamOptions.get()
                                        .forwards()
                                        .fromRevision(from)
                                        .maxCount(PAGE))
                        .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StreamNotFoundException && events.isEmpty()) {
                    return events;
                }
                throw e;
            }
            for (ResolvedEvent e : page.getEvents()) {
                events.add(Event.of(e.getOriginalEvent()));
            }
            if (page.getEvents().size() < PAGE) {
                return events;
            }
            from = events.getLast().revision() + 1;
        }
    }
}
