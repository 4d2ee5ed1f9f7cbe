package io.factum.engine.internal.store;

import io.factum.api.AppendResult;
import io.factum.api.FactumException;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The single writer: one platform thread drains a queue bounded in count and bytes, decides each
 * command against the committed state plus the group's earlier decisions, writes one frame per
 * command, syncs once for the whole group (group commit), indexes the durable records, and only
 * then completes the callers and wakes subscribers.
 *
 * <p>After the first IO error the writer is failed for good: that append and every later one fail
 * with {@link StoreFailedException} carrying the first error (an fsync is never retried).
 *
 * <p>Thread-safe: {@link #submit} from any thread; everything else runs on the writer thread.
 */
public final class Writer implements AutoCloseable {
    /** Most commands decided in one group; bounds the latency of the group's first caller. */
    private static final int MAX_GROUP = 4096;

    private final SegmentedLog log;
    private final StreamIndex index;
    private final StateView committed;
    private final AppendDecider decider;
    private final Clock clock;
    private final Runnable onCommit;
    private final BlockingQueue<Pending> queue;
    private final Semaphore queueBytes;
    private final int queueBytesPermits;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final Thread thread;
    private final AtomicLong commandsCommitted = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private volatile boolean closed;
    private volatile StoreFailedException failure;

    private static final class Pending {
        final Command command;
        final int permits;
        final CompletableFuture<List<AppendResult>> done = new CompletableFuture<>();
        Decision decision = new Decision.NoWrite(List.of());

        Pending(Command command, int permits) {
            this.command = command;
            this.permits = permits;
        }
    }

    public Writer(
            SegmentedLog log,
            StreamIndex index,
            StateView committed,
            int idempotencyCacheEntries,
            Clock clock,
            int queueCapacity,
            long queueBytes,
            Runnable onCommit) {
        this.log = log;
        this.index = index;
        this.committed = committed;
        this.decider = new AppendDecider(new IdempotencyCache(idempotencyCacheEntries));
        this.clock = clock;
        this.onCommit = onCommit;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        // Permits count kibibytes so that a 64 MiB bound fits an int with room to spare.
        this.queueBytesPermits = (int) Math.max(1, queueBytes >> 10);
        this.queueBytes = new Semaphore(queueBytesPermits);
        this.thread = Thread.ofPlatform().name("factum-writer").daemon(false).unstarted(this::run);
    }

    /** Seeds the idempotency cache with the newest committed records (after a restart). */
    public void rememberCommitted(List<RecordedEvent> records) {
        decider.remember(records);
    }

    public void start() {
        thread.start();
    }

    /**
     * Queues a command; blocks while the queue is full (backpressure). The future completes once
     * the command's records are durable and indexed, or with the command's error.
     */
    public CompletableFuture<List<AppendResult>> submit(Command command) {
        int permits = (int) Math.min(queueBytesPermits, Math.max(1, command.sizeBytes() >> 10));
        queueBytes.acquireUninterruptibly(permits);
        Pending pending = new Pending(command, permits);
        gate.readLock().lock();
        try {
            checkOpen();
            putUninterruptibly(pending);
        } catch (RuntimeException e) {
            queueBytes.release(permits);
            throw e;
        } finally {
            gate.readLock().unlock();
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

    private void putUninterruptibly(Pending pending) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(pending);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public long commandsCommitted() {
        return commandsCommitted.get();
    }

    public long syncs() {
        return syncs.get();
    }

    public int queueDepth() {
        return queue.size();
    }

    public boolean isFailed() {
        return failure != null;
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                continue; // Only close() stops the writer, through the poison command.
            }
            queue.drainTo(group, MAX_GROUP - 1);
            stop = processGroup(group);
            group.clear();
        }
    }

    /** Returns true when the group held the poison command that ends the writer. */
    private boolean processGroup(List<Pending> group) {
        boolean stop = false;
        PendingView view = new PendingView(committed);
        List<RecordedEvent> written = new ArrayList<>();
        long next = log.nextPosition();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
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

    private Decision decide(Command command, StateView view, long next, Instant now) {
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
            log.flush();
            syncs.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            fail("syncing the log failed", e);
            return;
        }
        try {
            for (RecordedEvent r : written) {
                index.add(r.stream(), r.version(), r.position());
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
            failure = new StoreFailedException(
                    what + "; the store stopped accepting writes to protect acknowledged data: " + cause, cause);
            System.getLogger(Writer.class.getName()).log(System.Logger.Level.ERROR, failure.getMessage(), cause);
        }
    }

    /** Completes every queued command, stops the writer thread and waits for it. */
    @Override
    public void close() {
        gate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            gate.writeLock().unlock();
        }
        putUninterruptibly(new Pending(null, 0));
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
    }

    /** The first error, if the writer failed. */
    public java.util.Optional<StoreFailedException> failure() {
        return java.util.Optional.ofNullable(failure);
    }
}
