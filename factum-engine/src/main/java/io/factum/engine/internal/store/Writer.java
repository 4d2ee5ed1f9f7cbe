package io.factum.engine.internal.store;

import io.factum.api.AppendResult;
import io.factum.api.FactumException;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.engine.FlushLatency;
import io.factum.engine.WriteCommand;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer: one platform thread drains a queue bounded in count and bytes, decides each
 * command against the committed state plus the group's earlier decisions, writes one frame per
 * command, syncs once for the whole group (group commit), indexes the durable records (by stream,
 * and by type and tag), and only then completes the callers and wakes subscribers.
 *
 * <p>After the first IO error the writer is failed for good: that append and every later one fail
 * with {@link StoreFailedException} carrying the first error (an fsync is never retried). The store
 * is then read-only: what was durable before stays readable, since the log never publishes a
 * position it did not sync and every acknowledged record was indexed before it was acknowledged.
 *
 * <p>Thread-safe: {@link #submit} from any thread; everything else runs on the writer thread.
 */
public final class Writer implements AutoCloseable {
    /** Most commands decided in one group; bounds the latency of the group's first caller. */
    private static final int MAX_GROUP = 4096;

    /**
     * At most this many pauses while gathering a group. Linux rounds a 10 us park up to about 50 us
     * (timer slack), against an fsync of 150-400 us on the disks measured in docs/benchmarks.md.
     */
    private static final int GATHER_PAUSES = 4;

    private static final long GATHER_PAUSE_NANOS = 10_000;

    private final SegmentedLog log;
    private final Indexes index;
    private final StateView committed;
    private final AppendDecider decider;
    private final Clock clock;
    private final Runnable onCommit;
    private final CommandQueue<Pending> queue;
    private final Semaphore queueBytes;
    private final int queueBytesPermits;
    private final Thread thread;
    private final AtomicLong commandsCommitted = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final FlushTimer flushTimer = new FlushTimer();
    private volatile boolean closed;
    /** Set by the writer thread before its last drain; nothing consumes the queue after it. */
    private volatile boolean stopped;

    private volatile StoreFailedException failure;

    /** What failed and why, in a few words ("syncing the log failed: No space left on device"). */
    private volatile String failureReason = "";

    /**
     * The newest record's creation time. Records never get an older one, even when the wall clock
     * steps back, so a stream's events are created in version order and {@code $maxAge} cuts a
     * stream at one point (reads rely on it). Touched by the writer thread only, after start.
     */
    private Instant lastCreated = Instant.MIN;

    private static final class Pending {
        final WriteCommand command;
        final int permits;
        final CompletableFuture<List<AppendResult>> done = new CompletableFuture<>();
        Decision decision = new Decision.NoWrite(List.of());

        Pending(WriteCommand command, int permits) {
            this.command = command;
            this.permits = permits;
        }
    }

    public Writer(
            SegmentedLog log,
            Indexes index,
            StateView committed,
            int idempotencyCacheEntries,
            long replicaWindow,
            Clock clock,
            int queueCapacity,
            long queueBytes,
            Runnable onCommit) {
        this.log = log;
        this.index = index;
        this.committed = committed;
        this.decider = new AppendDecider(new IdempotencyCache(idempotencyCacheEntries), replicaWindow);
        this.clock = clock;
        this.onCommit = onCommit;
        this.queue = new CommandQueue<>(queueCapacity);
        // Permits count kibibytes so that a 64 MiB bound fits an int with room to spare.
        this.queueBytesPermits = (int) Math.max(1, queueBytes >> 10);
        this.queueBytes = new Semaphore(queueBytesPermits);
        this.thread = Thread.ofPlatform().name("factum-writer").daemon(false).unstarted(this::run);
        queue.setConsumer(thread);
    }

    /** Seeds the idempotency cache with the newest committed records (after a restart). */
    public void rememberCommitted(List<RecordedEvent> records) {
        decider.remember(records);
        for (RecordedEvent r : records) {
            if (r.created().isAfter(lastCreated)) {
                lastCreated = r.created();
            }
        }
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues a command; blocks while the queue is full (backpressure). The future completes once
     * the command's records are durable and indexed, or with the command's error.
     */
    public CompletableFuture<List<AppendResult>> submit(WriteCommand command) {
        int permits = (int) Math.min(queueBytesPermits, Math.max(1, command.sizeBytes() >> 10));
        queueBytes.acquireUninterruptibly(permits);
        Pending pending = new Pending(command, permits);
        try {
            checkOpen();
        } catch (RuntimeException e) {
            queueBytes.release(permits);
            throw e;
        }
        queue.put(pending);
        if (stopped) {
            // The writer finished its last drain before this command arrived: nobody else will
            // ever take it, so fail it (and anything else left) here.
            failLeftovers();
        }
        return pending.done;
    }

    private void checkOpen() {
        StoreFailedException failed = failure;
        if (failed != null) {
            throw new StoreFailedException(failed.getMessage(), failed.getCause());
        }
        if (closed) {
            throw new StoreClosedException("the store is closed");
        }
    }

    public long commandsCommitted() {
        return commandsCommitted.get();
    }

    public long syncs() {
        return syncs.get();
    }

    /** How long group commits (write and fsync) took since open. */
    public FlushLatency flushLatency() {
        return flushTimer.snapshot();
    }

    public int queueDepth() {
        return queue.size();
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        boolean stop = false;
        int previousGroupSize = 0;
        while (!stop) {
            group.add(queue.take());
            queue.drainTo(group, MAX_GROUP - 1);
            gather(group, previousGroupSize);
            previousGroupSize = group.size();
            stop = processGroup(group);
            group.clear();
        }
        stopped = true;
        failLeftovers();
    }

    /**
     * Waits a little for more commands while they keep arriving and the group is smaller than the
     * previous one. Callers whose appends the last sync completed are still on their way back (on
     * two cores they must first be scheduled), and a sync costs the same for 10 frames as for 60, so
     * a short wait here raises events per fsync. It never waits when nothing arrives: a lone writer
     * pays nothing, and a wait ends as soon as a pause brings no new command.
     */
    private void gather(List<Pending> group, int previousGroupSize) {
        for (int pause = 0; pause < GATHER_PAUSES && group.size() < previousGroupSize; pause++) {
            int before = group.size();
            LockSupport.parkNanos(GATHER_PAUSE_NANOS);
            queue.drainTo(group, MAX_GROUP - group.size());
            if (group.size() == before) {
                return;
            }
        }
    }

    /** Returns true when the group held the poison command that ends the writer. */
    private boolean processGroup(List<Pending> group) {
        boolean stop = false;
        PendingView view = new PendingView(committed);
        List<RecordedEvent> written = new ArrayList<>();
        long next = log.nextPosition();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        if (now.isBefore(lastCreated)) {
            now = lastCreated;
        }
        lastCreated = now;
        for (Pending p : group) {
            if (p.command == null) {
                stop = true;
                continue;
            }
            if (failure != null) {
                continue;
            }
            p.decision = decide(p.command, view, next, now);
            if (p.decision instanceof Decision.Write w) {
                try {
                    log.append(w.records());
                } catch (IOException | RuntimeException e) {
                    fail("writing to the log failed", e);
                    continue;
                }
                view.addAll(w.records());
                written.addAll(w.records());
                next += w.records().size();
            }
        }
        if (!written.isEmpty() && failure == null) {
            commit(written);
        }
        completeAll(group);
        if (!written.isEmpty()) {
            onCommit.run();
        }
        return stop;
    }

    /**
     * Replica mode: decides commands that a replicated log ordered, on the caller's thread (the
     * writer thread is never started), and writes every record they produce as one frame, so that a
     * crash leaves either all of the entry's records or none. {@code time} is the entry's, chosen
     * once by the node that proposed it; records never get a time older than the newest record's,
     * and that rule reads only the log, so every replica stamps the same time. The log is flushed
     * (fsynced only with {@code Durability.FSYNC}: a cluster's Raft log is what is durable) and
     * indexed before this returns, and subscribers are woken.
     *
     * @return one decision per command, in order
     * @throws StoreFailedException when the store failed (now or earlier): nothing more is applied
     */
    public List<Decision> applyReplicated(List<WriteCommand> commands, Instant time, FrameHook hook) {
        checkOpen();
        PendingView view = new PendingView(committed);
        List<RecordedEvent> written = new ArrayList<>();
        List<Decision> decisions = new ArrayList<>(commands.size());
        long first = log.nextPosition();
        long next = first;
        Instant now = time.truncatedTo(ChronoUnit.MICROS);
        if (now.isBefore(lastCreated)) {
            now = lastCreated;
        }
        for (WriteCommand command : commands) {
            Decision decision = decide(command, view, next, now);
            if (decision instanceof Decision.Write w) {
                view.addAll(w.records());
                written.addAll(w.records());
                next += w.records().size();
            }
            decisions.add(decision);
        }
        if (!written.isEmpty()) {
            try {
                hook.beforeWrite(first, next);
            } catch (IOException | RuntimeException e) {
                fail("recording the frame before writing it failed", e);
                throw failure;
            }
            writeFrame(written);
            lastCreated = now;
        }
        return decisions;
    }

    /** Called after a replicated group is decided and before its frame is written. */
    @FunctionalInterface
    public interface FrameHook {
        /** The frame will hold positions {@code first .. next - 1}; throwing fails the store. */
        void beforeWrite(long first, long next) throws IOException;
    }

    /**
     * Replica mode: appends records decided elsewhere, exactly as they are (positions, versions,
     * ids, times), as one frame; a node that installs another node's state copies its log this way.
     *
     * @throws IllegalStateException when the first record is not at the next position
     */
    public void importRecords(List<RecordedEvent> records) {
        checkOpen();
        if (records.isEmpty()) {
            return;
        }
        if (records.get(0).position() != log.nextPosition()) {
            throw new IllegalStateException("imported records start at position "
                    + records.get(0).position() + ", the log's next position is " + log.nextPosition());
        }
        writeFrame(records);
        RecordedEvent newest = records.get(records.size() - 1);
        if (newest.created().isAfter(lastCreated)) {
            lastCreated = newest.created();
        }
    }

    /** Replica mode: forces every applied record to stable storage and checkpoints the log. */
    public void sync() throws IOException {
        checkOpen();
        log.sync();
    }

    /** The position the next applied record gets. Replica mode, on the applying thread. */
    public long nextPosition() {
        return log.nextPosition();
    }

    private void writeFrame(List<RecordedEvent> records) {
        try {
            log.append(records);
        } catch (IOException | RuntimeException e) {
            fail("writing to the log failed", e);
            throw failure;
        }
        commit(records);
        if (failure != null) {
            throw failure;
        }
        commandsCommitted.incrementAndGet();
        onCommit.run();
    }

    private Decision decide(WriteCommand command, StateView view, long next, Instant now) {
        try {
            return decider.decide(command, view, next, now);
        } catch (FactumException e) {
            return new Decision.Rejected(e);
        } catch (UncheckedIOException e) {
            fail("reading the store's state failed", e.getCause());
            return new Decision.Rejected(failure);
        }
    }

    private void commit(List<RecordedEvent> written) {
        try {
            long started = System.nanoTime(); // measurement only, not a decision: no injected clock
            log.flush();
            flushTimer.record(System.nanoTime() - started);
            syncs.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            fail("syncing the log failed", e);
            return;
        }
        try {
            for (RecordedEvent r : written) {
                index.add(r);
            }
        } catch (IOException | RuntimeException e) {
            fail("indexing durable records failed", e);
            return;
        }
        decider.remember(written);
    }

    private void completeAll(List<Pending> group) {
        for (Pending p : group) {
            if (p.command == null) {
                continue;
            }
            queueBytes.release(p.permits);
            StoreFailedException failed = failure;
            switch (p.decision) {
                case Decision.Rejected r -> p.done.completeExceptionally(r.error());
                case Decision.Write w when failed != null -> p.done.completeExceptionally(failed);
                case Decision.NoWrite n when failed != null -> p.done.completeExceptionally(failed);
                case Decision.Write w -> {
                    commandsCommitted.incrementAndGet();
                    p.done.complete(w.results());
                }
                case Decision.NoWrite n -> p.done.complete(n.results());
            }
        }
    }

    private void fail(String what, Throwable cause) {
        if (failure == null) {
            String reason = what + ": " + describe(cause);
            failureReason = reason; // before the volatile write of failure, which publishes it
            failure = new StoreFailedException(
                    "the store is read-only after a write failure (" + reason + "); acknowledged events can still"
                            + " be read, writes are refused until the store is reopened with the cause fixed",
                    cause);
            System.getLogger(Writer.class.getName()).log(System.Logger.Level.ERROR, failure.getMessage(), cause);
        }
    }

    /**
     * The error's message, then its root cause's when that is another error: a failed index flush
     * wraps the "No space left on device" that operators need to see.
     */
    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? messageOf(cause) : messageOf(cause) + ": " + root;
    }

    private static String messageOf(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getName() : message;
    }

    /** Completes every queued command, stops the writer thread and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        queue.put(new Pending(null, 0));
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        failLeftovers();
    }

    /** Fails commands that arrived after the writer's last group; runs once the writer is gone. */
    private void failLeftovers() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left, Integer.MAX_VALUE);
        for (Pending p : left) {
            if (p.command != null) {
                queueBytes.release(p.permits);
                p.done.completeExceptionally(new StoreClosedException("the store is closed"));
            }
        }
    }

    /** The first error, if the writer failed. */
    public java.util.Optional<StoreFailedException> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    /** Why the writer failed, in a few words, if it did. */
    public java.util.Optional<String> failureReason() {
        return failure == null ? java.util.Optional.empty() : java.util.Optional.of(failureReason);
    }
}
