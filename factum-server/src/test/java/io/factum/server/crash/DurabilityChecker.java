package io.factum.server.crash;

import io.factum.server.crash.ServedStore.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Compares what a restarted server serves with every append the workload made, over all rounds on
 * one data directory. Each violation names the batch or event, what was expected and what was
 * found:
 *
 * <ul>
 *   <li>{@code $all}: positions dense from 0 (commit = prepare), each event id once;
 *   <li>every stream as {@code readStream} serves it equals its events in {@code $all}, revisions
 *       dense from 0;
 *   <li>every stored event was submitted, to that stream, with that content;
 *   <li>an acknowledged batch is stored, each event at the revision and position the ack implies
 *       (the ack names the last event's; the others precede it contiguously);
 *   <li>a batch is all or nothing; a stored batch is contiguous and honours its expectation; a
 *       rejected batch is absent; a batch in flight at the kill is either wholly present or absent.
 * </ul>
 *
 * <p>Not thread-safe; one instance per check.
 */
final class DurabilityChecker {

    static final int MAX_REPORTED = 25;

    /**
     * @param violations the first {@link #MAX_REPORTED} violations
     * @param violationCount all of them
     */
    record Report(
            List<String> violations,
            int violationCount,
            int events,
            int acked,
            int inFlightPresent,
            int inFlightAbsent,
            int rejected) {

        String summary() {
            return events + " events in $all; " + acked + " acked batches; in flight at a kill: " + inFlightPresent
                    + " stored, " + inFlightAbsent + " absent; " + rejected + " rejected; " + violationCount
                    + " violations";
        }

        /** Every reported violation on its own line, and how many more there were. */
        String diagnosis() {
            StringBuilder sb = new StringBuilder(summary()).append('\n');
            violations.forEach(v -> sb.append("  - ").append(v).append('\n'));
            if (violationCount > violations.size()) {
                sb.append("  ... and ")
                        .append(violationCount - violations.size())
                        .append(" more\n");
            }
            return sb.toString();
        }
    }

    private final List<Attempt> attempts;
    private final ServedStore served;
    private final Map<UUID, Event> byId = new HashMap<>();
    private final Map<UUID, Attempt> submitted = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private int violationCount;
    private int acked;
    private int inFlightPresent;
    private int inFlightAbsent;
    private int rejected;

    private DurabilityChecker(List<Attempt> attempts, ServedStore served) {
        this.attempts = attempts;
        this.served = served;
    }

    static Report check(List<Attempt> attempts, ServedStore served) {
        DurabilityChecker c = new DurabilityChecker(attempts, served);
        c.indexSubmissions();
        c.checkAll();
        c.checkStreams();
        c.checkStoredEvents();
        c.checkAttempts();
        return new Report(
                List.copyOf(c.violations),
                c.violationCount,
                served.all().size(),
                c.acked,
                c.inFlightPresent,
                c.inFlightAbsent,
                c.rejected);
    }

    private void violation(String text) {
        violationCount++;
        if (violations.size() < MAX_REPORTED) {
            violations.add(text);
        }
    }

    private void indexSubmissions() {
        for (Attempt a : attempts) {
            for (UUID id : a.ids()) {
                Attempt previous = submitted.put(id, a);
                if (previous != null) {
                    throw new IllegalStateException(
                            "workload bug: event id " + id + " in " + previous.describe() + " and " + a.describe());
                }
            }
        }
    }

    private void checkAll() {
        List<Event> all = served.all();
        for (int i = 0; i < all.size(); i++) {
            Event e = all.get(i);
            if (e.commit() != i || e.prepare() != i) {
                violation("$all: event " + i + " in read order is at position " + e.commit() + "/" + e.prepare()
                        + ", expected " + i + " (positions are dense from 0, commit = prepare): " + e);
            }
            Event first = byId.putIfAbsent(e.id(), e);
            if (first != null) {
                violation("duplicate: event id " + e.id() + " is served twice in $all: " + first + " and " + e);
            }
        }
    }

    private void checkStreams() {
        Map<String, List<Event>> fromAll = new LinkedHashMap<>();
        for (Event e : served.all()) {
            if (!e.stream().startsWith("$")) {
                fromAll.computeIfAbsent(e.stream(), k -> new ArrayList<>()).add(e);
            }
        }
        fromAll.forEach((stream, events) -> {
            for (int v = 0; v < events.size(); v++) {
                if (events.get(v).revision() != v) {
                    violation("stream " + stream + ": its event " + v + " in $all order has revision "
                            + events.get(v).revision() + ", expected " + v + " (revisions are dense): "
                            + events.get(v));
                    break;
                }
            }
        });
        served.streams().forEach((stream, viaStream) -> {
            List<Event> viaAll = fromAll.getOrDefault(stream, List.of());
            if (viaAll.size() != viaStream.size()) {
                violation("stream " + stream + ": readStream serves " + viaStream.size() + " events, $all holds "
                        + viaAll.size() + firstDifference(viaAll, viaStream));
            } else if (!firstDifference(viaAll, viaStream).isEmpty()) {
                violation("stream " + stream + ": readStream and $all differ" + firstDifference(viaAll, viaStream));
            }
        });
        fromAll.keySet().stream()
                .filter(s -> !served.streams().containsKey(s))
                .forEach(s -> violation("stream " + s + " is in $all but was not read"));
    }

    private static String firstDifference(List<Event> viaAll, List<Event> viaStream) {
        for (int i = 0; i < Math.min(viaAll.size(), viaStream.size()); i++) {
            if (!viaAll.get(i).sameAs(viaStream.get(i))) {
                return "; first difference at index " + i + ": $all has " + viaAll.get(i) + ", readStream has "
                        + viaStream.get(i);
            }
        }
        return "";
    }

    private void checkStoredEvents() {
        for (Event e : served.all()) {
            if (e.stream().startsWith("$")) {
                continue;
            }
            Attempt a = submitted.get(e.id());
            if (a == null) {
                violation("never submitted: " + e + " is served but no append carried its id");
                continue;
            }
            int index = a.ids().indexOf(e.id());
            if (!a.stream().equals(e.stream())) {
                violation("wrong stream: " + e + " was submitted to " + a.stream() + " in " + a.describe());
            } else {
                String difference = contentDifference(e, a, index);
                if (!difference.isEmpty()) {
                    violation("wrong content: " + e + " (event " + index + " of " + a.describe() + "): " + difference);
                }
            }
        }
    }

    /** Empty when the event carries what was written, else which field differs: expected vs found. */
    private static String contentDifference(Event e, Attempt a, int index) {
        if (!e.type().equals(Payload.TYPE)) {
            return "type: expected " + Payload.TYPE + ", found " + e.type();
        }
        if (!e.contentType().equals(Payload.CONTENT_TYPE)) {
            return "content type: expected " + Payload.CONTENT_TYPE + ", found " + e.contentType();
        }
        byte[] data = Payload.data(a.batchId(), index, e.id());
        if (!Arrays.equals(e.data(), data)) {
            return "data: expected " + text(data) + ", found " + text(e.data());
        }
        byte[] metadata = Payload.metadata(a.batchId());
        if (!Payload.sameMetadata(metadata, e.metadata())) {
            return "metadata: expected " + text(metadata) + ", found " + text(e.metadata());
        }
        return "";
    }

    private static String text(byte[] bytes) {
        String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        return "'" + (s.length() > 80 ? s.substring(0, 80) + "...' (" + bytes.length + " bytes)" : s + "'");
    }

    private void checkAttempts() {
        for (Attempt a : attempts) {
            long present = a.ids().stream().filter(byId::containsKey).count();
            if (present == a.ids().size()) {
                checkPlacement(a);
            } else if (present > 0) {
                violation("partial batch: " + a.describe() + " has " + present + " of "
                        + a.ids().size() + " events stored; missing "
                        + a.ids().stream().filter(i -> !byId.containsKey(i)).toList());
            }
            switch (a.outcome()) {
                case Attempt.Acked ack -> {
                    acked++;
                    if (present != a.ids().size()) {
                        violation("lost ack: " + a.describe() + " was acknowledged at revision " + ack.revision()
                                + ", position " + ack.position() + ", but "
                                + (a.ids().size() - present) + " of its "
                                + a.ids().size() + " events are not served");
                    } else {
                        checkAck(a, ack);
                    }
                }
                case Attempt.Rejected r -> {
                    rejected++;
                    if (present > 0) {
                        violation("rejected but stored: " + a.describe() + " was rejected (actual revision "
                                + r.actualRevision() + ") yet " + present + " of its events are served, first at "
                                + byId.get(a.ids().getFirst()));
                    }
                }
                case Attempt.InFlight f -> {
                    if (present == a.ids().size()) {
                        inFlightPresent++;
                    } else if (present == 0) {
                        inFlightAbsent++;
                    }
                }
            }
        }
    }

    /** A wholly stored batch: contiguous positions and revisions, its expectation honoured. */
    private void checkPlacement(Attempt a) {
        Event first = byId.get(a.ids().getFirst());
        for (int i = 0; i < a.ids().size(); i++) {
            Event e = byId.get(a.ids().get(i));
            if (e.commit() != first.commit() + i || e.revision() != first.revision() + i) {
                violation("torn batch: event " + i + " of " + a.describe() + " is at " + e + ", expected revision "
                        + (first.revision() + i) + ", position " + (first.commit() + i)
                        + " (a batch is stored contiguously)");
                return;
            }
        }
        long expected = a.expected();
        boolean honoured = expected == Attempt.ANY
                || expected == Attempt.NO_STREAM && first.revision() == 0
                || expected == Attempt.STREAM_EXISTS && first.revision() > 0
                || expected >= 0 && first.revision() == expected + 1;
        if (!honoured) {
            violation("expectation broken: " + a.describe() + " is stored from revision " + first.revision());
        }
    }

    private void checkAck(Attempt a, Attempt.Acked ack) {
        int n = a.ids().size();
        for (int i = 0; i < n; i++) {
            Event e = byId.get(a.ids().get(i));
            long revision = ack.revision() - (n - 1 - i);
            long position = ack.position() - (n - 1 - i);
            if (!e.stream().equals(a.stream()) || e.revision() != revision || e.commit() != position) {
                violation("moved ack: event " + i + " (" + a.ids().get(i) + ") of " + a.describe()
                        + " was acknowledged at " + a.stream() + "@" + revision + ", position " + position
                        + "; served as " + e);
                return;
            }
        }
    }
}
