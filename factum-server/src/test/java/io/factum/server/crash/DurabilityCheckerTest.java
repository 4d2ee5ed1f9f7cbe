package io.factum.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.server.crash.ServedStore.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The checker on synthetic histories: it passes a correct store and names each kind of damage. */
class DurabilityCheckerTest {

    private static final String STREAM = "s";

    /** Two acked batches (2 events, then 1), a rejected one and one in flight, stored correctly. */
    private final Attempt first = attempt("b1", Attempt.NO_STREAM, 2, new Attempt.Acked(1, 1));

    private final Attempt second = attempt("b2", 1, 1, new Attempt.Acked(2, 2));
    private final Attempt rejected = attempt("b3", 0, 1, new Attempt.Rejected(2));
    private final Attempt inFlight = attempt("b4", Attempt.ANY, 2, new Attempt.InFlight("UNAVAILABLE", 0));

    @Test
    void aCorrectStorePasses() {
        var report = check(List.of(first, second, rejected, inFlight), stored(first, second));
        assertThat(report.violations()).isEmpty();
        assertThat(report.acked()).isEqualTo(2);
        assertThat(report.inFlightAbsent()).isEqualTo(1);
        assertThat(report.rejected()).isEqualTo(1);
    }

    @Test
    void anInFlightBatchMayBeWhollyPresent() {
        var report = check(List.of(first, second, inFlight), stored(first, second, inFlight));
        assertThat(report.violations()).isEmpty();
        assertThat(report.inFlightPresent()).isEqualTo(1);
    }

    @Test
    void aLostAckIsNamed() {
        var report = check(List.of(first, second), stored(first));
        assertThat(report.violations()).anySatisfy(v -> assertThat(v).startsWith("lost ack: batch b2"));
    }

    @Test
    void aPartialBatchIsNamed() {
        List<Event> all = stored(first, second, inFlight);
        all.removeLast();
        var report = check(List.of(first, second, inFlight), all);
        assertThat(report.violations()).anySatisfy(v -> assertThat(v).startsWith("partial batch: batch b4"));
    }

    @Test
    void aDuplicateAndAGapInPositionsAreNamed() {
        List<Event> all = stored(first, second);
        all.add(all.getFirst());
        var report = check(List.of(first, second), all);
        assertThat(report.violations())
                .anySatisfy(v -> assertThat(v)
                        .startsWith("duplicate: event id " + first.ids().getFirst()))
                .anySatisfy(v -> assertThat(v).startsWith("$all: event 3 in read order is at position 0"));
    }

    @Test
    void anAckAtAnotherPositionIsNamed() {
        Attempt moved = attempt("b2", 1, 1, new Attempt.Acked(2, 7));
        var report = check(List.of(first, moved), stored(first, moved));
        assertThat(report.violations())
                .anySatisfy(v ->
                        assertThat(v).startsWith("moved ack: event 0").contains("acknowledged at s@2, position 7"));
    }

    @Test
    void aStoredRejectedBatchAndChangedContentAreNamed() {
        List<Event> all = stored(first, rejected);
        Event e = all.get(2);
        all.set(
                2,
                new Event(
                        e.id(),
                        e.stream(),
                        e.revision(),
                        e.commit(),
                        e.prepare(),
                        e.type(),
                        e.contentType(),
                        "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        e.metadata()));
        var report = check(List.of(first, rejected), all);
        assertThat(report.violations())
                .anySatisfy(v -> assertThat(v).startsWith("rejected but stored: batch b3"))
                .anySatisfy(v -> assertThat(v).startsWith("wrong content:").contains("data: expected"));
    }

    @Test
    void aStreamReadThatDisagreesWithAllIsNamed() {
        List<Event> all = stored(first, second);
        var report = DurabilityChecker.check(
                List.of(first, second), new ServedStore(all, Map.of(STREAM, all.subList(0, 2))));
        assertThat(report.violations())
                .anySatisfy(v -> assertThat(v).startsWith("stream s: readStream serves 2 events, $all holds 3"));
    }

    private static Attempt attempt(String batch, long expected, int events, Attempt.Outcome outcome) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ids.add(UUID.nameUUIDFromBytes((batch + "/" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return new Attempt(batch, STREAM, expected, ids, outcome);
    }

    /** The batches' events stored one after the other from position 0, as a correct server would. */
    private static List<Event> stored(Attempt... batches) {
        List<Event> all = new ArrayList<>();
        for (Attempt a : batches) {
            for (int i = 0; i < a.ids().size(); i++) {
                long position = all.size();
                UUID id = a.ids().get(i);
                all.add(new Event(
                        id,
                        a.stream(),
                        position,
                        position,
                        position,
                        Payload.TYPE,
                        Payload.CONTENT_TYPE,
                        Payload.data(a.batchId(), i, id),
                        Payload.metadata(a.batchId())));
            }
        }
        return all;
    }

    private static DurabilityChecker.Report check(List<Attempt> attempts, List<Event> all) {
        return DurabilityChecker.check(attempts, new ServedStore(all, Map.of(STREAM, List.copyOf(all))));
    }
}
