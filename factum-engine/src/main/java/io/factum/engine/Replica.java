package io.factum.engine;

import io.factum.api.AppendResult;
import io.factum.api.FactumException;
import io.factum.api.RecordedEvent;
import io.factum.engine.internal.store.Decision;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An embedded store whose writes are ordered elsewhere: a node of a cluster applies, in the order
 * of its replicated log, the commands every node applies, and each node's store ends up holding
 * the same records at the same positions with the same times.
 *
 * <p>What makes applying deterministic, beyond the decider being a function of the state, the
 * command, the first position and the time: the time comes with the commands ({@link #apply}); a
 * retry with {@code ExpectedVersion.any()} is recognised only within the newest {@link
 * #window(EngineOptions)} positions, which a restarted node rebuilds from its log; and all the
 * records of one {@link #apply} call form one frame, so that a crash keeps all of them or none
 * and the caller can tell which of its entries the log holds.
 *
 * <p>Reads, reads by query and subscriptions go through {@link #store()}, whose own write methods
 * refuse. {@link #apply}, {@link #importRecords}, {@link #sync} and {@link #nextPosition} must be
 * called from one thread at a time (the caller's thread is the writer).
 */
public final class Replica implements AutoCloseable {
    private final EmbeddedEventStore store;

    private Replica(EmbeddedEventStore store) {
        this.store = store;
    }

    /** Opens (or creates) a replica's store in {@code options.dataDir()}, as {@link EmbeddedEventStore#open}. */
    public static Replica open(EngineOptions options) throws IOException {
        return new Replica(EmbeddedEventStore.open(options, true));
    }

    /**
     * The newest positions in which a replica recognises a retry with {@code any}: half the
     * idempotency cache, which on a replica holds one entry per record, so the cache always covers
     * the window whenever its generations turn over.
     */
    public static long window(EngineOptions options) {
        return Math.max(1, options.idempotencyCacheEntries() / 2);
    }

    /** The store, for reads and subscriptions; its write methods throw {@link IllegalStateException}. */
    public EmbeddedEventStore store() {
        return store;
    }

    /**
     * Decides the commands in order against the store (each sees the ones before it) with records
     * stamped {@code time} (or the newest record's time, if later), writes what they produce as one
     * frame, indexes it and wakes subscribers. When they write anything, {@code beforeFrame} hears
     * which positions the frame will hold before it is written (a node journals which entry wrote
     * it); when it throws, nothing is written and the store fails.
     *
     * @return one outcome per command, in order
     * @throws io.factum.api.StoreFailedException when the store failed: it applies nothing more
     */
    public List<Outcome> apply(List<WriteCommand> commands, Instant time, BeforeFrame beforeFrame) {
        List<Decision> decisions = store.writer().applyReplicated(commands, time, beforeFrame::beforeWrite);
        List<Outcome> outcomes = new ArrayList<>(decisions.size());
        for (Decision d : decisions) {
            outcomes.add(
                    switch (d) {
                        case Decision.Write w -> new Outcome.Done(w.results());
                        case Decision.NoWrite n -> new Outcome.Done(n.results());
                        case Decision.Rejected r -> new Outcome.Refused(r.error());
                    });
        }
        return outcomes;
    }

    /**
     * Appends records another node's store holds, exactly as they are, as one frame: how a node
     * that lags too far behind copies another's log.
     *
     * @throws IllegalStateException when the first record is not at {@link #nextPosition()}
     */
    public void importRecords(List<RecordedEvent> records) {
        store.writer().importRecords(records);
    }

    /** Forces everything applied to stable storage (the store may run without per-write fsync). */
    public void sync() throws IOException {
        store.writer().sync();
    }

    /** The position the next applied record gets: the number of records in the log. */
    public long nextPosition() {
        return store.writer().nextPosition();
    }

    @Override
    public void close() {
        store.close();
    }

    /** Hears of a frame before it is written. */
    @FunctionalInterface
    public interface BeforeFrame {
        /** The frame will hold positions {@code first .. next - 1}. */
        void beforeWrite(long first, long next) throws IOException;
    }

    /** What became of one applied command. */
    public sealed interface Outcome {
        /** Written, or settled without writing (an idempotent retry): one result per stream. */
        record Done(List<AppendResult> results) implements Outcome {
            public Done {
                results = List.copyOf(results);
            }
        }

        /** Refused (a wrong expected version, a failed condition, a deleted stream): nothing written. */
        record Refused(FactumException error) implements Outcome {}
    }
}
