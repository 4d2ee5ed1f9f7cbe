package io.factum.engine.crash;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import io.factum.engine.crash.WorkloadLine.Submitted;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A hand-driven stand-in for a store and a workload, to test {@link HistoryChecker} on synthetic
 * histories: submit batches, store them as a correct engine would (dense positions and versions),
 * acknowledge or reject them, then damage the stored records the way a buggy recovery could.
 *
 * <p>Not thread-safe.
 */
final class SyntheticStore {
    final History history = new History();
    final List<RecordedEvent> all = new ArrayList<>();
    private final Map<String, Long> versions = new HashMap<>();
    private final Random random;
    private int batches;

    SyntheticStore(long seed) {
        this.random = new Random(seed);
    }

    /** A part for {@link #submit}: {@code count} events to {@code stream} under {@code expected}. */
    record Spec(String stream, ExpectedVersion expected, int count) {}

    static Spec part(String stream, int count) {
        return new Spec(stream, ExpectedVersion.any(), count);
    }

    /** Records the submit line of a new batch. */
    Submitted submit(Spec... specs) {
        List<Part> parts = new ArrayList<>();
        for (Spec spec : specs) {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < spec.count(); i++) {
                ids.add(new UUID(random.nextLong(), random.nextLong()));
            }
            parts.add(new Part(spec.stream(), spec.expected(), ids));
        }
        Submitted s = new Submitted("b" + batches++, parts);
        history.accept(s);
        return s;
    }

    /** Stores the batch at the end of the log as a correct engine would; returns what an ack says. */
    List<PartResult> store(Submitted s) {
        List<PartResult> results = new ArrayList<>();
        for (int p = 0; p < s.parts().size(); p++) {
            Part part = s.parts().get(p);
            for (int i = 0; i < part.ids().size(); i++) {
                long version = versions.merge(part.stream(), 1L, Long::sum) - 1;
                all.add(recorded(s.batchId(), p, i, part.ids().get(i), part.stream(), version, all.size()));
            }
            results.add(new PartResult(part.stream(), versions.get(part.stream()) - 1, all.size() - 1L, part.ids()));
        }
        return results;
    }

    void ack(Submitted s, List<PartResult> results) {
        history.accept(new WorkloadLine.Acked(s.batchId(), results));
    }

    /** Stores and acknowledges. */
    List<PartResult> storeAndAck(Submitted s) {
        List<PartResult> results = store(s);
        ack(s, results);
        return results;
    }

    void reject(Submitted s) {
        history.accept(new WorkloadLine.Rejected(s.batchId(), s.parts().getFirst().stream(), 0));
    }

    /** The event as a correct engine stores it. */
    static RecordedEvent recorded(
            String batchId, int part, int index, UUID id, String stream, long version, long position) {
        EventData d = EventPayload.eventData(batchId, part, index, id);
        return new RecordedEvent(
                stream,
                version,
                position,
                id,
                d.type(),
                d.data(),
                d.metadata(),
                d.contentType(),
                Instant.EPOCH,
                d.tags());
    }

    /** A copy of {@code e} with another place. */
    static RecordedEvent moved(RecordedEvent e, String stream, long version, long position) {
        return new RecordedEvent(
                stream,
                version,
                position,
                e.eventId(),
                e.type(),
                e.data(),
                e.metadata(),
                e.contentType(),
                e.created(),
                e.tags());
    }

    /** Renumbers positions 0..n-1 in list order (after an insertion or removal). */
    void renumber() {
        for (int i = 0; i < all.size(); i++) {
            RecordedEvent e = all.get(i);
            all.set(i, moved(e, e.stream(), e.version(), i));
        }
    }

    StoreSnapshot snapshot() {
        return StoreSnapshot.consistentWith(all);
    }

    HistoryChecker.Report check() {
        return HistoryChecker.check(history, snapshot());
    }
}
