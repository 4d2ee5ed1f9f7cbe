package io.factum.engine.crash;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.WrongExpectedVersionException;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The appends of one power-loss round, made in this JVM by several threads against one store until
 * the power is cut or each thread made its share. Writer {@code w} makes single-event appends when
 * {@code w % 4 == 0}, batches of 2 to 30 events when 1, atomic multi-stream appends when 2, and
 * multi-stream appends with an append condition (no event with a given tag after the head it read)
 * when 3. One more thread changes stream metadata and soft-deletes streams that hold no events
 * ({@link SideStreams}). Every submission is recorded before the store is called and every outcome
 * after it returns, in the {@link History} the crash campaign's checker reads.
 *
 * <p>An exception other than a wrong expected version or a failed condition stops the thread; it
 * is expected once the power is cut (the store fails), and a finding otherwise, collected in
 * {@link #unexpected()}.
 */
final class PowerLossWorkload {
    static final int WRITERS = 4;
    private static final List<String> STREAMS = CrashWorkload.streamNames(6);

    private final EventStore store;
    private final History history;
    private final SideStreams side;
    private final BooleanSupplier powerOn;
    private final String tag;
    private final Map<String, Long> knownVersions = new ConcurrentHashMap<>();
    private final List<String> unexpected = new ArrayList<>();
    private final List<ConditionalAck> conditionalAcks = new ArrayList<>();

    /** An acknowledged conditional append: no event matching query lies in (after, firstPosition). */
    record ConditionalAck(String batchId, Query query, long after, long firstPosition) {}

    PowerLossWorkload(EventStore store, History history, SideStreams side, BooleanSupplier powerOn, String tag) {
        this.store = store;
        this.history = history;
        this.side = side;
        this.powerOn = powerOn;
        this.tag = tag;
    }

    /** Runs every thread to its end (its share made, or a failure) and returns. */
    void run(long seed, int appendsPerWriter) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Random random = new Random(seed * 31 + w);
            threads.add(Thread.ofPlatform()
                    .name("power-loss-writer-" + w)
                    .start(() -> write(writer, random, appendsPerWriter)));
        }
        Random sideRandom = new Random(seed * 31 + WRITERS);
        threads.add(Thread.ofPlatform()
                .name("power-loss-side")
                .start(() -> guard("side", () -> side.run(store, sideRandom, appendsPerWriter / 3))));
        for (Thread t : threads) {
            t.join();
        }
    }

    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    synchronized List<ConditionalAck> conditionalAcks() {
        return List.copyOf(conditionalAcks);
    }

    private void write(int writer, Random random, int appends) {
        for (int seq = 0; seq < appends; seq++) {
            String batchId = tag + "-w" + writer + "-" + seq;
            List<Part> parts =
                    switch (writer % 4) {
                        case 0 -> List.of(part(random, pick(random, 1).getFirst(), 1));
                        case 1 -> List.of(part(random, pick(random, 1).getFirst(), 2 + random.nextInt(29)));
                        default -> multiParts(random);
                    };
            WorkloadLine.Submitted batch = new WorkloadLine.Submitted(batchId, parts);
            Query query = Query.tagged("k:" + random.nextInt(4));
            boolean conditional = writer % 4 == 3;
            if (!guard(
                    batchId, () -> appendOnce(batch, conditional ? Optional.of(condition(query)) : Optional.empty()))) {
                return;
            }
        }
    }

    /** No event matching query after the head as this writer sees it now. */
    private AppendCondition condition(Query query) {
        return AppendCondition.noneMatchingAfter(query, store.headPosition());
    }

    /** Runs an action; false (and, with the power on, a finding) when it threw. */
    private boolean guard(String what, Runnable action) {
        try {
            action.run();
            return true;
        } catch (RuntimeException e) {
            if (powerOn.getAsBoolean()) {
                synchronized (this) {
                    unexpected.add(what + ": " + e);
                }
            }
            return false;
        }
    }

    private void appendOnce(WorkloadLine.Submitted batch, Optional<AppendCondition> condition) {
        record(batch);
        try {
            WorkloadLine.Acked acked =
                    condition.isEmpty() ? EventPayload.append(store, batch) : appendConditional(batch, condition.get());
            acked.results().forEach(r -> knownVersions.merge(r.stream(), r.lastVersion(), Math::max));
            record(acked);
        } catch (WrongExpectedVersionException e) {
            knownVersions.merge(e.stream(), e.actualVersion(), Math::max);
            record(new WorkloadLine.Rejected(batch.batchId(), e.stream(), e.actualVersion()));
        } catch (AppendConditionFailedException e) {
            // The checker reads a rejection as "nothing of this batch may be stored".
            record(new WorkloadLine.Rejected(
                    batch.batchId(), batch.parts().getFirst().stream(), e.conflictingPosition()));
        }
    }

    private WorkloadLine.Acked appendConditional(WorkloadLine.Submitted batch, AppendCondition condition) {
        List<StreamAppend> appends = new ArrayList<>();
        for (int p = 0; p < batch.parts().size(); p++) {
            Part part = batch.parts().get(p);
            List<EventData> events = new ArrayList<>();
            for (int i = 0; i < part.ids().size(); i++) {
                events.add(
                        EventPayload.eventData(batch.batchId(), p, i, part.ids().get(i)));
            }
            appends.add(new StreamAppend(part.stream(), part.expected(), events));
        }
        List<AppendResult> results = store.appendMulti(appends, Optional.of(condition));
        List<PartResult> acked = new ArrayList<>();
        for (int p = 0; p < results.size(); p++) {
            Part part = batch.parts().get(p);
            acked.add(new PartResult(
                    part.stream(),
                    results.get(p).streamVersion(),
                    results.get(p).position(),
                    part.ids()));
        }
        long first = acked.getFirst().lastPosition()
                - (batch.parts().getFirst().ids().size() - 1);
        synchronized (this) {
            conditionalAcks.add(new ConditionalAck(
                    batch.batchId(), condition.failIfEventsMatch(), condition.afterPosition(), first));
        }
        return new WorkloadLine.Acked(batch.batchId(), acked);
    }

    private void record(WorkloadLine line) {
        synchronized (history) {
            history.accept(line);
        }
    }

    private List<Part> multiParts(Random random) {
        List<Part> parts = new ArrayList<>();
        for (String s : pick(random, 2 + random.nextInt(2))) {
            parts.add(part(random, s, 1 + random.nextInt(8)));
        }
        return parts;
    }

    private Part part(Random random, String stream, int events) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return new Part(stream, expectation(random, stream), ids);
    }

    /** Mostly the last version seen (so conflicts happen), else any. */
    private ExpectedVersion expectation(Random random, String stream) {
        if (random.nextInt(10) < 6) {
            long known = knownVersions.getOrDefault(stream, ExpectedVersion.NO_STREAM_VERSION);
            return known < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(known);
        }
        return ExpectedVersion.any();
    }

    private static List<String> pick(Random random, int count) {
        List<String> pool = new ArrayList<>(STREAMS);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chosen.add(pool.remove(random.nextInt(pool.size())));
        }
        return chosen;
    }

    /** Learns the streams' versions from the reopened store, so expectations start right. */
    void learnVersions(StoreSnapshot snapshot) {
        snapshot.streams().forEach((stream, events) -> {
            if (!events.isEmpty()) {
                knownVersions.put(stream, events.getLast().version());
            }
        });
    }

    /** Metadata used for the side streams' "set" operations: op n carries n. */
    static StreamMetadata metadataOf(int op) {
        return StreamMetadata.empty().withCustomJson("{\"op\":" + op + "}");
    }
}
