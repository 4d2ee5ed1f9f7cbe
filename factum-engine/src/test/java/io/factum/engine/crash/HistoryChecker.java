package io.factum.engine.crash;

import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.SystemNames;
import io.factum.engine.crash.History.Batch;
import io.factum.engine.crash.History.EventRef;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Decides whether a store's contents are a legal outcome of a history of submitted, acknowledged
 * and rejected appends, whatever moment the writer was killed at:
 *
 * <ol>
 *   <li>{@code $all}: positions are exactly 0, 1, ..., head, and every event id occurs once.
 *   <li>User streams: versions are exactly 0, 1, ..., n-1 in position order, and {@code readStream}
 *       returns the same events as {@code $all} holds for that stream.
 *   <li>Every user event in the store was submitted, to that stream, and has the content {@link
 *       EventPayload} derives for its place in its batch.
 *   <li>Every batch is all or nothing: all of its events at consecutive positions in submission
 *       order, each part at consecutive versions agreeing with its expectation; or none of them.
 *   <li>An acknowledged batch is present, each event at the stream, version and position the ack
 *       gave. A batch rejected with a wrong expected version is absent.
 *   <li>Every query of {@link EventPayload#QUERIES} read by query returns exactly the records of
 *       {@code $all} that match it, in order (the tag and type index is complete and correct).
 * </ol>
 *
 * <p>Events of system streams ({@code $...}) take part in the position check only: the engine may
 * write its own records there. Stateless and thread-safe.
 */
final class HistoryChecker {

    /** Violations reported in full; beyond this only the count grows (one bug can cause thousands). */
    static final int MAX_REPORTED = 50;

    /**
     * The verdict.
     *
     * @param violations the first {@link #MAX_REPORTED} violations, human-readable
     * @param violationCount all violations found
     * @param events records in {@code $all}
     * @param ackedBatches batches acknowledged, all of which were found
     * @param unackedPresent batches without an outcome whose events are all stored
     * @param unackedAbsent batches without an outcome none of whose events is stored
     * @param rejectedBatches batches rejected with a wrong expected version
     */
    record Report(
            List<String> violations,
            int violationCount,
            long events,
            long ackedBatches,
            long unackedPresent,
            long unackedAbsent,
            long rejectedBatches) {
        boolean ok() {
            return violationCount == 0;
        }

        String summary() {
            return events + " events, " + ackedBatches + " acked batches, " + unackedPresent
                    + " unacked present, " + unackedAbsent + " unacked absent, " + rejectedBatches + " rejected"
                    + (ok() ? "" : ", " + violationCount + " VIOLATIONS");
        }
    }

    private HistoryChecker() {}

    static Report check(History history, StoreSnapshot snapshot) {
        Run run = new Run(history, snapshot);
        run.checkAll();
        run.checkStreams();
        run.checkStoredEvents();
        run.checkBatches();
        run.checkQueries();
        return run.report();
    }

    /** The state of one check; confined to the calling thread. */
    private static final class Run {
        private final History history;
        private final StoreSnapshot snapshot;
        private final Map<UUID, RecordedEvent> byId = new HashMap<>();
        private final List<String> violations = new ArrayList<>();
        private int violationCount;
        private long acked;
        private long unackedPresent;
        private long unackedAbsent;
        private long rejected;

        Run(History history, StoreSnapshot snapshot) {
            this.history = history;
            this.snapshot = snapshot;
        }

        void violation(String text) {
            violationCount++;
            if (violations.size() < MAX_REPORTED) {
                violations.add(text);
            }
        }

        Report report() {
            return new Report(
                    violations, violationCount, snapshot.all().size(), acked, unackedPresent, unackedAbsent, rejected);
        }

        void checkAll() {
            List<RecordedEvent> all = snapshot.all();
            for (int i = 0; i < all.size(); i++) {
                RecordedEvent e = all.get(i);
                if (e.position() != i) {
                    violation("$all: record " + i + " has position " + e.position()
                            + " (positions must be dense from 0): " + e);
                }
                RecordedEvent first = byId.putIfAbsent(e.eventId(), e);
                if (first != null) {
                    violation("duplicate: event id " + e.eventId() + " stored at positions " + first.position()
                            + " and " + e.position());
                }
            }
            long expectedHead = all.size() - 1L;
            if (snapshot.headPosition() != expectedHead) {
                violation("headPosition() is " + snapshot.headPosition() + " but $all holds " + all.size()
                        + " records (expected head " + expectedHead + ")");
            }
        }

        /** Each query read through the tag index returns exactly the matching records of $all. */
        void checkQueries() {
            StoreSnapshot.matchesIn(snapshot.all()).forEach((query, expected) -> {
                List<RecordedEvent> read = snapshot.queries().getOrDefault(query, List.of());
                if (!read.equals(expected)) {
                    int i = 0;
                    while (i < read.size() && i < expected.size() && read.get(i).equals(expected.get(i))) {
                        i++;
                    }
                    violation("query " + query + ": read " + read.size() + " events, $all holds " + expected.size()
                            + " matching; they differ at index " + i + ": read "
                            + (i < read.size() ? read.get(i) : "nothing") + ", $all "
                            + (i < expected.size() ? expected.get(i) : "nothing"));
                }
            });
        }

        void checkStreams() {
            Map<String, List<RecordedEvent>> fromAll = new LinkedHashMap<>();
            for (RecordedEvent e : snapshot.all()) {
                if (!SystemNames.isSystemStream(e.stream())) {
                    fromAll.computeIfAbsent(e.stream(), k -> new ArrayList<>()).add(e);
                }
            }
            fromAll.forEach((stream, events) -> {
                for (int v = 0; v < events.size(); v++) {
                    if (events.get(v).version() != v) {
                        violation("stream " + stream + ": event " + v + " in position order has version "
                                + events.get(v).version() + " (versions must be dense from 0): " + events.get(v));
                        break;
                    }
                }
            });
            for (String stream : union(fromAll, snapshot.streams())) {
                List<RecordedEvent> viaAll = fromAll.getOrDefault(stream, List.of());
                List<RecordedEvent> viaStream = snapshot.streams().get(stream);
                if (viaStream == null) {
                    violation("stream " + stream + " is in $all but was not read with readStream");
                } else if (!sameEvents(viaAll, viaStream)) {
                    violation("stream " + stream + ": readStream returned " + viaStream.size() + " events, $all holds "
                            + viaAll.size() + firstDifference(viaAll, viaStream));
                }
            }
        }

        void checkStoredEvents() {
            for (RecordedEvent e : snapshot.all()) {
                if (SystemNames.isSystemStream(e.stream())) {
                    continue;
                }
                var ref = history.event(e.eventId());
                if (ref.isEmpty()) {
                    violation("never submitted: " + e + " is stored but no batch carried its id");
                    continue;
                }
                Part part = partOf(ref.get());
                if (!part.stream().equals(e.stream())) {
                    violation("wrong stream: " + e + " was submitted to " + part.stream() + " in batch "
                            + ref.get().batchId());
                } else if (!EventPayload.matches(
                        e, ref.get().batchId(), ref.get().part(), ref.get().index())) {
                    violation("wrong content: " + e + " of batch " + ref.get().batchId() + " differs from what was"
                            + " written (type, data, metadata or content type)");
                }
            }
        }

        void checkBatches() {
            for (Batch b : history.batches()) {
                List<UUID> ids = b.submitted().allIds();
                long present = ids.stream().filter(byId::containsKey).count();
                String id = b.submitted().batchId();
                if (present == ids.size()) {
                    checkPlacement(b);
                } else if (present > 0) {
                    violation("partial batch " + id + ": " + present + " of " + ids.size() + " events stored, missing "
                            + ids.stream().filter(i -> !byId.containsKey(i)).toList());
                }
                if (b.acked()) {
                    acked++;
                    if (present != ids.size()) {
                        violation("lost ack: batch " + id + " was acknowledged as "
                                + b.ack().orElseThrow().format() + " but only " + present + " of its " + ids.size()
                                + " events are stored");
                    } else {
                        checkAck(b);
                    }
                } else if (b.rejected()) {
                    rejected++;
                    if (present > 0) {
                        violation("rejected batch " + id + " ("
                                + b.rejection().orElseThrow().format() + ") is stored");
                    }
                } else if (present == ids.size()) {
                    unackedPresent++;
                } else if (present == 0) {
                    unackedAbsent++;
                }
            }
        }

        /** A fully stored batch: consecutive positions, consecutive versions, expectations honoured. */
        private void checkPlacement(Batch b) {
            String id = b.submitted().batchId();
            long firstPosition = byId.get(b.submitted().allIds().getFirst()).position();
            long offset = 0;
            for (Part part : b.submitted().parts()) {
                long firstVersion = byId.get(part.ids().getFirst()).version();
                for (int i = 0; i < part.ids().size(); i++, offset++) {
                    RecordedEvent e = byId.get(part.ids().get(i));
                    if (e.position() != firstPosition + offset || e.version() != firstVersion + i) {
                        violation("torn batch " + id + ": " + e + " is not at position " + (firstPosition + offset)
                                + " / version " + (firstVersion + i) + " (a batch is stored contiguously)");
                        return;
                    }
                }
                String broken = expectationBroken(part.expected(), firstVersion);
                if (!broken.isEmpty()) {
                    violation("batch " + id + " stored in " + part.stream() + " from version " + firstVersion
                            + " although its expectation was " + broken);
                }
            }
        }

        private void checkAck(Batch b) {
            for (PartResult r : b.ack().orElseThrow().results()) {
                int n = r.ids().size();
                for (int i = 0; i < n; i++) {
                    RecordedEvent e = byId.get(r.ids().get(i));
                    long version = r.lastVersion() - (n - 1 - i);
                    long position = r.lastPosition() - (n - 1 - i);
                    if (!e.stream().equals(r.stream()) || e.version() != version || e.position() != position) {
                        violation("moved ack: batch " + b.submitted().batchId() + " acknowledged "
                                + r.ids().get(i) + " at " + r.stream() + "@" + version + ", position " + position
                                + "; stored " + e);
                        return;
                    }
                }
            }
        }

        private Part partOf(EventRef ref) {
            return history.batch(ref.batchId())
                    .orElseThrow()
                    .submitted()
                    .parts()
                    .get(ref.part());
        }
    }

    /** Empty when storing from {@code firstVersion} honours the expectation, else the expectation. */
    private static String expectationBroken(ExpectedVersion expected, long firstVersion) {
        boolean ok =
                switch (expected) {
                    case ExpectedVersion.Any a -> true;
                    case ExpectedVersion.NoStream n -> firstVersion == 0;
                    case ExpectedVersion.StreamExists s -> firstVersion > 0;
                    case ExpectedVersion.Exact x -> firstVersion == x.version() + 1;
                };
        return ok ? "" : WorkloadLine.formatExpected(expected);
    }

    private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
        var names = new java.util.LinkedHashSet<String>(a.keySet());
        names.addAll(b.keySet());
        return List.copyOf(names);
    }

    /** Events are the same record: stream, version, position, id, and content. */
    private static boolean sameEvents(List<RecordedEvent> a, List<RecordedEvent> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameEvent(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameEvent(RecordedEvent a, RecordedEvent b) {
        // RecordedEvent.equals compares every field, including the byte arrays' contents.
        return Objects.equals(a, b);
    }

    private static String firstDifference(List<RecordedEvent> viaAll, List<RecordedEvent> viaStream) {
        for (int i = 0; i < Math.min(viaAll.size(), viaStream.size()); i++) {
            if (!sameEvent(viaAll.get(i), viaStream.get(i))) {
                return "; first difference at index " + i + ": $all has " + viaAll.get(i) + ", readStream has "
                        + viaStream.get(i);
            }
        }
        return "";
    }
}
