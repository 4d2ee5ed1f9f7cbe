package io.factum.engine.crash;

import io.factum.engine.crash.WorkloadLine.Acked;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import io.factum.engine.crash.WorkloadLine.Rejected;
import io.factum.engine.crash.WorkloadLine.Submitted;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the workload reported, over all rounds: each batch as submitted, and its outcome if
 * the child lived to print one (acknowledged, or rejected with a wrong expected version).
 *
 * <p>Invariants, enforced on {@link #accept}: batch ids and event ids are unique; an outcome
 * refers to a submitted batch, is reported at most once, and an ack names exactly the submitted
 * streams and ids, in order. A violation is a bug in the workload or the harness, not in the store,
 * and throws {@link IllegalStateException}.
 *
 * <p>Not thread-safe: filled by the test thread between rounds.
 */
final class History {

    /** A submitted batch and what became of it. */
    record Batch(Submitted submitted, Optional<Acked> ack, Optional<Rejected> rejection) {
        boolean acked() {
            return ack.isPresent();
        }

        boolean rejected() {
            return rejection.isPresent();
        }
    }

    /** Where an event id was submitted: its batch, the part and the index within the part. */
    record EventRef(String batchId, int part, int index) {}

    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final Map<UUID, EventRef> events = new HashMap<>();
    private final Set<String> streams = new LinkedHashSet<>();
    private final List<WorkloadLine.Unexpected> unexpected = new ArrayList<>();

    void accept(WorkloadLine line) {
        switch (line) {
            case WorkloadLine.Running r -> {}
            case Submitted s -> submit(s);
            case Acked a -> ack(a);
            case Rejected r -> reject(r);
            case WorkloadLine.Unexpected u -> unexpected.add(u);
        }
    }

    void acceptAll(Collection<? extends WorkloadLine> lines) {
        lines.forEach(this::accept);
    }

    Collection<Batch> batches() {
        return Collections.unmodifiableCollection(batches.values());
    }

    Optional<Batch> batch(String batchId) {
        return Optional.ofNullable(batches.get(batchId));
    }

    Optional<EventRef> event(UUID id) {
        return Optional.ofNullable(events.get(id));
    }

    /** Every stream any batch was submitted to. */
    Set<String> streams() {
        return Collections.unmodifiableSet(streams);
    }

    /** Appends that failed in a way the workload did not expect. */
    List<WorkloadLine.Unexpected> unexpected() {
        return Collections.unmodifiableList(unexpected);
    }

    private void submit(Submitted s) {
        if (batches.containsKey(s.batchId())) {
            throw new IllegalStateException("batch " + s.batchId() + " submitted twice");
        }
        Set<String> partStreams = new LinkedHashSet<>();
        for (int p = 0; p < s.parts().size(); p++) {
            Part part = s.parts().get(p);
            if (!partStreams.add(part.stream())) {
                throw new IllegalStateException("batch " + s.batchId() + " names stream " + part.stream() + " twice");
            }
            for (int i = 0; i < part.ids().size(); i++) {
                EventRef previous = events.putIfAbsent(part.ids().get(i), new EventRef(s.batchId(), p, i));
                if (previous != null) {
                    throw new IllegalStateException("event id " + part.ids().get(i) + " of batch " + s.batchId()
                            + " was already submitted in batch " + previous.batchId());
                }
            }
        }
        streams.addAll(partStreams);
        batches.put(s.batchId(), new Batch(s, Optional.empty(), Optional.empty()));
    }

    private void ack(Acked a) {
        Batch b = outcomeTarget(a.batchId());
        List<Part> parts = b.submitted().parts();
        List<PartResult> results = a.results();
        if (results.size() != parts.size()) {
            throw new IllegalStateException(
                    "ack of " + a.batchId() + " has " + results.size() + " parts, submitted " + parts.size());
        }
        for (int p = 0; p < parts.size(); p++) {
            if (!results.get(p).stream().equals(parts.get(p).stream())
                    || !results.get(p).ids().equals(parts.get(p).ids())) {
                throw new IllegalStateException("ack of " + a.batchId() + " part " + p + " does not match submission");
            }
        }
        batches.put(a.batchId(), new Batch(b.submitted(), Optional.of(a), Optional.empty()));
    }

    private void reject(Rejected r) {
        Batch b = outcomeTarget(r.batchId());
        batches.put(r.batchId(), new Batch(b.submitted(), Optional.empty(), Optional.of(r)));
    }

    private Batch outcomeTarget(String batchId) {
        Batch b = batches.get(batchId);
        if (b == null) {
            throw new IllegalStateException("outcome reported for batch " + batchId + ", which was never submitted");
        }
        if (b.acked() || b.rejected()) {
            throw new IllegalStateException("second outcome reported for batch " + batchId);
        }
        return b;
    }
}
