package io.factum.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.server.crash.ServedStore.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The checker on synthetic histories: it passes a correct store and names each kind of damage it
 * knows, one test per kind, each asserting the whole message.
 *
 * <p>The histories interleave two streams, so that an event's stream revision differs from its
 * position in {@code $all}: a checker that confused the two would pass a broken store or fail a
 * correct one. Each damaged history is built so that it breaks exactly one rule where possible,
 * and the test asserts that the checker reports exactly that (or, where one damage necessarily
 * breaks two rules, both).
 */
class DurabilityCheckerTest {

    /*
     * The correct history, positions in $all order:
     *   0 a@0 a1[0]   1 a@1 a1[1]   2 b@0 b1[0]   3 a@2 a2[0]   4 b@1 b2[0]   5 b@2 b2[1]
     * plus a rejected batch to a and one in flight to b that never arrived.
     */
    private final Attempt a1 = attempt("a1", "a", Attempt.NO_STREAM, 2, new Attempt.Acked(1, 1));

    private final Attempt b1 = attempt("b1", "b", Attempt.NO_STREAM, 1, new Attempt.Acked(0, 2));
    private final Attempt a2 = attempt("a2", "a", 1, 1, new Attempt.Acked(2, 3));
    private final Attempt b2 = attempt("b2", "b", Attempt.STREAM_EXISTS, 2, new Attempt.Acked(2, 5));
    private final Attempt aRejected = attempt("a3", "a", 0, 1, new Attempt.Rejected(2));
    private final Attempt bInFlight = attempt("b3", "b", Attempt.ANY, 2, new Attempt.InFlight("UNAVAILABLE", 0));

    private List<Attempt> attempts() {
        return List.of(a1, b1, a2, b2, aRejected, bInFlight);
    }

    private History correct() {
        return History.of(a1, b1, a2, b2);
    }

    @Test
    void aCorrectStoreWhereRevisionsDifferFromPositionsPasses() {
        var report = correct().check(attempts());
        assertThat(report.violations()).isEmpty();
        assertThat(report.violationCount()).isZero();
        assertThat(report.events()).isEqualTo(6);
        assertThat(report.acked()).isEqualTo(4);
        assertThat(report.rejected()).isEqualTo(1);
        assertThat(report.inFlightAbsent()).isEqualTo(1);
        assertThat(report.inFlightPresent()).isZero();
        // The history really is one where revision and position differ.
        assertThat(correct().all.get(4).revision()).isEqualTo(1);
        assertThat(correct().all.get(4).commit()).isEqualTo(4);
    }

    @Test
    void anInFlightBatchMayBeWhollyPresent() {
        var report = History.of(a1, b1, a2, b2, bInFlight).check(attempts());
        assertThat(report.violations()).isEmpty();
        assertThat(report.inFlightPresent()).isEqualTo(1);
        assertThat(report.inFlightAbsent()).isZero();
    }

    // --- $all ---------------------------------------------------------------------------------

    @Test
    void aGapInAllPositionsIsNamed() {
        History h = correct().mapAll(3, e -> with(e, e.revision(), 7, 7));
        assertThat(h.check(attempts()).violations())
                .containsExactly(
                        "$all: event 3 in read order is at position 7/7, expected 3 (positions are dense from 0,"
                                + " commit = prepare): a@2 (position 7, id " + id("a2", 0)
                                + ", type ServerCrashEvent)",
                        "moved ack: event 0 (" + id("a2", 0) + ") of batch a2 (1 event to a, expected revision 1)"
                                + " was acknowledged at a@2, position 3; served as a@2 (position 7, id "
                                + id("a2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void aCommitPositionThatDiffersFromThePrepareIsNamed() {
        History h = correct().mapAll(4, e -> with(e, e.revision(), 4, 9));
        assertThat(h.check(attempts()).violations())
                .containsExactly("$all: event 4 in read order is at position 4/9, expected 4 (positions are dense"
                        + " from 0, commit = prepare): b@1 (position 4/9, id " + id("b2", 0)
                        + ", type ServerCrashEvent)");
    }

    @Test
    void anEventServedTwiceIsNamed() {
        History h = correct();
        h.all.add(h.all.get(2));
        h.streams.get("b").add(h.all.get(2));
        var violations = h.check(attempts()).violations();
        assertThat(violations)
                .contains(
                        "duplicate: event id " + id("b1", 0) + " is served twice in $all: b@0 (position 2, id "
                                + id("b1", 0) + ", type ServerCrashEvent) and b@0 (position 2, id " + id("b1", 0)
                                + ", type ServerCrashEvent)",
                        "$all: event 6 in read order is at position 2/2, expected 6 (positions are dense from 0,"
                                + " commit = prepare): b@0 (position 2, id " + id("b1", 0)
                                + ", type ServerCrashEvent)",
                        "stream b: its event 3 in $all order has revision 0, expected 3 (revisions are dense):"
                                + " b@0 (position 2, id " + id("b1", 0) + ", type ServerCrashEvent)")
                .hasSize(3);
    }

    // --- streams ------------------------------------------------------------------------------

    @Test
    void aGapInAStreamsRevisionsIsNamed() {
        // b's second event is served at revision 5 both in $all and by readStream; its batch and
        // the next are in flight with any expectation, so that no ack or expectation pins it.
        Attempt b2InFlight = attempt("b2", "b", Attempt.ANY, 1, new Attempt.InFlight("UNAVAILABLE", 0));
        Attempt b4 = attempt("b4", "b", Attempt.ANY, 1, new Attempt.InFlight("UNAVAILABLE", 0));
        History h = History.of(a1, b1, a2, b2InFlight, b4).mapAll(4, e -> with(e, 5, e.commit(), e.prepare()));
        assertThat(h.check(List.of(a1, b1, a2, b2InFlight, b4)).violations())
                .containsExactly("stream b: its event 1 in $all order has revision 5, expected 1 (revisions are"
                        + " dense): b@5 (position 4, id " + id("b2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void aStreamReadThatServesFewerEventsThanAllIsNamed() {
        History h = correct();
        h.streams.get("b").removeLast();
        assertThat(h.check(attempts()).violations())
                .containsExactly("stream b: readStream serves 2 events, $all holds 3");
    }

    @Test
    void aStreamReadThatServesMoreEventsThanAllNamesTheFirstDifference() {
        History h = correct();
        Event extra = with(h.all.get(4), 1, 4, 4);
        h.streams.get("b").add(1, extra);
        assertThat(h.check(attempts()).violations())
                .containsExactly("stream b: readStream serves 4 events, $all holds 3; first difference at index 2:"
                        + " $all has b@2 (position 5, id " + id("b2", 1) + ", type ServerCrashEvent), readStream"
                        + " has b@1 (position 4, id " + id("b2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void aStreamReadThatDiffersFromAllIsNamed() {
        History h = correct();
        // Same count, but readStream serves a's last event at the wrong revision.
        h.streams.get("a").set(2, with(h.all.get(3), 9, 3, 3));
        assertThat(h.check(attempts()).violations())
                .containsExactly("stream a: readStream and $all differ; first difference at index 2: $all has a@2"
                        + " (position 3, id " + id("a2", 0) + ", type ServerCrashEvent), readStream has a@9"
                        + " (position 3, id " + id("a2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void aStreamInAllThatWasNotReadIsNamed() {
        History h = correct();
        h.streams.remove("b");
        assertThat(h.check(attempts()).violations()).containsExactly("stream b is in $all but was not read");
    }

    @Test
    void systemStreamsAreNotComparedWithSubmissions() {
        History h = correct();
        h.all.add(new Event(
                UUID.randomUUID(), "$settings", 0, 6, 6, "$metadata", "application/json", new byte[0], new byte[0]));
        assertThat(h.check(attempts()).violations()).isEmpty();
    }

    // --- stored events ------------------------------------------------------------------------

    @Test
    void anEventNoAppendCarriedIsNamed() {
        History h = correct();
        UUID stranger = UUID.nameUUIDFromBytes("stranger".getBytes(StandardCharsets.UTF_8));
        Event e = new Event(
                stranger,
                "a",
                3,
                6,
                6,
                Payload.TYPE,
                Payload.CONTENT_TYPE,
                Payload.data("x", 0, stranger),
                Payload.metadata("x"));
        h.all.add(e);
        h.streams.get("a").add(e);
        assertThat(h.check(attempts()).violations())
                .containsExactly("never submitted: a@3 (position 6, id " + stranger
                        + ", type ServerCrashEvent) is served but no append carried its id");
    }

    @Test
    void anEventInAnotherStreamThanSubmittedIsNamed() {
        // b1 was submitted to b but the store put it in a, at a's next revision: stream a and b are
        // each dense, the batch is contiguous; only the stream is wrong.
        Attempt b1InFlight = attempt("b1", "b", Attempt.ANY, 1, new Attempt.InFlight("UNAVAILABLE", 0));
        History h = History.of(a1, b1InFlight);
        Event moved = with(h.all.get(2), "a", 2);
        h.all.set(2, moved);
        h.streams.remove("b");
        h.streams.get("a").add(moved);
        assertThat(h.check(List.of(a1, b1InFlight)).violations())
                .containsExactly("wrong stream: a@2 (position 2, id " + id("b1", 0) + ", type ServerCrashEvent)"
                        + " was submitted to b in batch b1 (1 event to b, expected any)");
    }

    @Test
    void aWrongTypeIsNamed() {
        History h = correct()
                .mapEverywhere(id("b2", 1), e -> withContent(e, "Other", e.contentType(), e.data(), e.metadata()));
        assertThat(h.check(attempts()).violations())
                .containsExactly("wrong content: b@2 (position 5, id " + id("b2", 1) + ", type Other) (event 1 of"
                        + " batch b2 (2 events to b, expected stream exists)): type: expected ServerCrashEvent,"
                        + " found Other");
    }

    @Test
    void aWrongContentTypeIsNamed() {
        History h = correct()
                .mapEverywhere(
                        id("a1", 1), e -> withContent(e, e.type(), "application/octet-stream", e.data(), e.metadata()));
        assertThat(h.check(attempts()).violations())
                .containsExactly("wrong content: a@1 (position 1, id " + id("a1", 1) + ", type ServerCrashEvent)"
                        + " (event 1 of batch a1 (2 events to a, expected no stream)): content type: expected"
                        + " application/json, found application/octet-stream");
    }

    @Test
    void wrongDataIsNamed() {
        History h = correct()
                .mapEverywhere(id("a2", 0), e -> withContent(e, e.type(), e.contentType(), bytes("{}"), e.metadata()));
        String written = new String(Payload.data("a2", 0, id("a2", 0)), StandardCharsets.UTF_8);
        String shown = written.length() > 80
                ? written.substring(0, 80) + "...' (" + written.length() + " bytes)"
                : written + "'";
        assertThat(h.check(attempts()).violations())
                .containsExactly("wrong content: a@2 (position 3, id " + id("a2", 0) + ", type ServerCrashEvent)"
                        + " (event 0 of batch a2 (1 event to a, expected revision 1)): data: expected '" + shown
                        + ", found '{}'");
    }

    @Test
    void wrongMetadataIsNamed() {
        History h = correct()
                .mapEverywhere(
                        id("b1", 0),
                        e -> withContent(e, e.type(), e.contentType(), e.data(), bytes("{\"$correlationId\":\"b9\"}")));
        assertThat(h.check(attempts()).violations())
                .containsExactly("wrong content: b@0 (position 2, id " + id("b1", 0) + ", type ServerCrashEvent)"
                        + " (event 0 of batch b1 (1 event to b, expected no stream)): metadata: expected"
                        + " '{\"$correlationId\":\"b1\"}', found '{\"$correlationId\":\"b9\"}'");
    }

    @Test
    void metadataTheClientAddsTracingToIsTheSame() {
        History h = correct()
                .mapEverywhere(
                        id("b1", 0),
                        e -> withContent(
                                e,
                                e.type(),
                                e.contentType(),
                                e.data(),
                                bytes("{\"$spanId\":\"1\",\"$correlationId\":\"b1\",\"$traceId\":\"2\"}")));
        assertThat(h.check(attempts()).violations()).isEmpty();
    }

    // --- attempts -----------------------------------------------------------------------------

    @Test
    void aPartiallyStoredBatchIsNamed() {
        // b3 was in flight and only its first event arrived, as b's last.
        History h = History.of(a1, b1, a2, b2, bInFlight);
        h.all.removeLast();
        h.streams.get("b").removeLast();
        assertThat(h.check(attempts()).violations())
                .containsExactly("partial batch: batch b3 (2 events to b, expected any) has 1 of 2 events stored;"
                        + " missing [" + id("b3", 1) + "]");
    }

    @Test
    void aLostAckIsNamed() {
        History h = History.of(a1, b1, a2);
        assertThat(h.check(attempts()).violations())
                .containsExactly("lost ack: batch b2 (2 events to b, expected stream exists) was acknowledged at"
                        + " revision 2, position 5, but 2 of its 2 events are not served");
    }

    @Test
    void aPartlyLostAckIsNamedAsPartialAndLost() {
        History h = History.of(a1, b1, a2, b2);
        h.all.removeLast();
        h.streams.get("b").removeLast();
        assertThat(h.check(attempts()).violations())
                .containsExactly(
                        "partial batch: batch b2 (2 events to b, expected stream exists) has 1 of 2 events stored;"
                                + " missing [" + id("b2", 1) + "]",
                        "lost ack: batch b2 (2 events to b, expected stream exists) was acknowledged at revision 2,"
                                + " position 5, but 1 of its 2 events are not served");
    }

    @Test
    void aRejectedBatchThatWasStoredIsNamed() {
        // a3 was refused (the client was told a's actual revision is 2), yet it is stored as a@3.
        Attempt a3 = attempt("a3", "a", Attempt.ANY, 1, new Attempt.Rejected(2));
        History h = History.of(a1, b1, a2, b2, a3);
        assertThat(h.check(List.of(a1, b1, a2, b2, a3)).violations())
                .containsExactly("rejected but stored: batch a3 (1 event to a, expected any) was rejected (actual"
                        + " revision 2) yet 1 of its events are served, first at a@3 (position 6, id "
                        + id("a3", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void aBatchStoredWithAnotherStreamsEventInsideIsNamedTorn() {
        // a's two-event batch in flight, stored with b's event between its two: revisions are
        // contiguous (a@0, a@1) but positions are not (0, 2).
        Attempt aTorn = attempt("a1", "a", Attempt.NO_STREAM, 2, new Attempt.InFlight("UNAVAILABLE", 0));
        Attempt bOne = attempt("b1", "b", Attempt.NO_STREAM, 1, new Attempt.InFlight("UNAVAILABLE", 0));
        History h = new History();
        h.append(aTorn, 0).append(bOne, 0).append(aTorn, 1);
        assertThat(h.check(List.of(aTorn, bOne)).violations())
                .containsExactly("torn batch: event 1 of batch a1 (2 events to a, expected no stream) is at a@1"
                        + " (position 2, id " + id("a1", 1) + ", type ServerCrashEvent), expected revision 1,"
                        + " position 1 (a batch is stored contiguously)");
    }

    @Test
    void anExactExpectationStoredAtAnotherRevisionIsNamed() {
        // a2 expected a at revision 0 (one event) but is stored after two, as a@2.
        Attempt a2Wrong = attempt("a2", "a", 0, 1, new Attempt.InFlight("UNAVAILABLE", 0));
        History h = History.of(a1, b1, a2Wrong);
        assertThat(h.check(List.of(a1, b1, a2Wrong)).violations())
                .containsExactly("expectation broken: batch a2 (1 event to a, expected revision 0) is stored from"
                        + " revision 2");
    }

    @Test
    void aNoStreamExpectationStoredOnAnExistingStreamIsNamed() {
        Attempt b2NoStream = attempt("b2", "b", Attempt.NO_STREAM, 2, new Attempt.Acked(2, 4));
        History h = History.of(a1, b1, b2NoStream);
        assertThat(h.check(List.of(a1, b1, b2NoStream)).violations())
                .containsExactly("expectation broken: batch b2 (2 events to b, expected no stream) is stored from"
                        + " revision 1");
    }

    @Test
    void aStreamExistsExpectationStoredAsTheFirstEventIsNamed() {
        Attempt bExists = attempt("b1", "b", Attempt.STREAM_EXISTS, 1, new Attempt.Acked(0, 2));
        History h = History.of(a1, bExists);
        assertThat(h.check(List.of(a1, bExists)).violations())
                .containsExactly("expectation broken: batch b1 (1 event to b, expected stream exists) is stored from"
                        + " revision 0");
    }

    @Test
    void anAckAtAnotherPositionIsNamed() {
        // The ack said position 7, the event is served at 3 (its revision 2 is right).
        Attempt moved = attempt("a2", "a", 1, 1, new Attempt.Acked(2, 7));
        History h = History.of(a1, b1, moved);
        assertThat(h.check(List.of(a1, b1, moved)).violations())
                .containsExactly("moved ack: event 0 (" + id("a2", 0) + ") of batch a2 (1 event to a, expected"
                        + " revision 1) was acknowledged at a@2, position 7; served as a@2 (position 3, id "
                        + id("a2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void anAckAtAnotherRevisionIsNamed() {
        // The ack said b's revision 3 for b2's last event; it is served at b@2 (position 5 is right).
        Attempt moved = attempt("b2", "b", Attempt.STREAM_EXISTS, 2, new Attempt.Acked(3, 5));
        History h = History.of(a1, b1, a2, moved);
        assertThat(h.check(List.of(a1, b1, a2, moved)).violations())
                .containsExactly("moved ack: event 0 (" + id("b2", 0) + ") of batch b2 (2 events to b, expected"
                        + " stream exists) was acknowledged at b@2, position 4; served as b@1 (position 4, id "
                        + id("b2", 0) + ", type ServerCrashEvent)");
    }

    @Test
    void onlyTheFirstViolationsAreKeptButAllAreCounted() {
        History h = new History();
        List<Attempt> lost = new ArrayList<>();
        for (int i = 0; i < DurabilityChecker.MAX_REPORTED + 5; i++) {
            lost.add(attempt("l" + i, "l" + i, Attempt.NO_STREAM, 1, new Attempt.Acked(0, i)));
        }
        var report = h.check(lost);
        assertThat(report.violations()).hasSize(DurabilityChecker.MAX_REPORTED);
        assertThat(report.violationCount()).isEqualTo(DurabilityChecker.MAX_REPORTED + 5);
        assertThat(report.diagnosis()).endsWith("  ... and 5 more\n");
    }

    // --- building histories -------------------------------------------------------------------

    private static Attempt attempt(String batch, String stream, long expected, int events, Attempt.Outcome outcome) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ids.add(id(batch, i));
        }
        return new Attempt(batch, stream, expected, ids, outcome);
    }

    private static UUID id(String batch, int index) {
        return UUID.nameUUIDFromBytes((batch + "/" + index).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Event with(Event e, long revision, long commit, long prepare) {
        return new Event(
                e.id(), e.stream(), revision, commit, prepare, e.type(), e.contentType(), e.data(), e.metadata());
    }

    private static Event with(Event e, String stream, long revision) {
        return new Event(
                e.id(), stream, revision, e.commit(), e.prepare(), e.type(), e.contentType(), e.data(), e.metadata());
    }

    private static Event withContent(Event e, String type, String contentType, byte[] data, byte[] metadata) {
        return new Event(e.id(), e.stream(), e.revision(), e.commit(), e.prepare(), type, contentType, data, metadata);
    }

    /**
     * What a server serves, mutable so a test can damage it: {@code $all} in order and each stream
     * as its own read serves it.
     */
    private static final class History {
        final List<Event> all = new ArrayList<>();
        final Map<String, List<Event>> streams = new LinkedHashMap<>();
        private final Map<String, Long> nextRevision = new HashMap<>();

        /** The batches' events stored one after the other from position 0, as a correct server would. */
        static History of(Attempt... batches) {
            History h = new History();
            for (Attempt a : batches) {
                for (int i = 0; i < a.ids().size(); i++) {
                    h.append(a, i);
                }
            }
            return h;
        }

        /** Stores event {@code index} of the batch at the next position and its stream's next revision. */
        History append(Attempt a, int index) {
            long position = all.size();
            long revision = nextRevision.merge(a.stream(), 1L, Long::sum) - 1;
            UUID id = a.ids().get(index);
            Event e = new Event(
                    id,
                    a.stream(),
                    revision,
                    position,
                    position,
                    Payload.TYPE,
                    Payload.CONTENT_TYPE,
                    Payload.data(a.batchId(), index, id),
                    Payload.metadata(a.batchId()));
            all.add(e);
            streams.computeIfAbsent(a.stream(), s -> new ArrayList<>()).add(e);
            return this;
        }

        /** Replaces the event at {@code position} of {@code $all} and in its stream's read. */
        History mapAll(int position, UnaryOperator<Event> change) {
            return mapEverywhere(all.get(position).id(), change);
        }

        /** Replaces the event with this id wherever it is served. */
        History mapEverywhere(UUID id, UnaryOperator<Event> change) {
            all.replaceAll(e -> e.id().equals(id) ? change.apply(e) : e);
            streams.values().forEach(events -> events.replaceAll(e -> e.id().equals(id) ? change.apply(e) : e));
            return this;
        }

        DurabilityChecker.Report check(List<Attempt> attempts) {
            Map<String, List<Event>> copy = new LinkedHashMap<>();
            streams.forEach((s, events) -> copy.put(s, List.copyOf(events)));
            return DurabilityChecker.check(attempts, new ServedStore(List.copyOf(all), copy));
        }
    }
}
