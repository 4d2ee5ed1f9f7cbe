package io.factum.framework;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Runs commands in process: one entity's commands one at a time and in the order they were sent
 * (so they never conflict with each other), different entities' commands concurrently, at most
 * {@code concurrency} at once, and at most {@code maxPending} sent and not yet finished; a sender
 * beyond that waits up to {@code sendTimeout} and then gets {@link CommandBusFullException}
 * (backpressure, never an unbounded queue). Routing commands between services is a message bus's
 * job, not this one's.
 *
 * <p>Thread-safe. {@link #close()} lets the commands already sent finish and refuses new ones.
 *
 * @param <C> commands
 * @param <R> what handling a command returns, usually a {@link CommandResult}
 */
public final class CommandBus<C, R> implements AutoCloseable {
    private final Function<? super CommandEnvelope<C>, R> handler;
    private final Function<? super C, String> entityOf;
    private final int maxPending;
    private final Duration sendTimeout;
    private final Semaphore pending;
    private final ExecutorService workers;
    /** Entities with commands queued or running, and their waiting commands. Guarded by itself. */
    private final Map<String, ArrayDeque<Task<C, R>>> entities = new HashMap<>();

    private final LongAdder sent = new LongAdder();
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private volatile boolean closed;

    private record Task<C, R>(String entity, CommandEnvelope<C> envelope, CompletableFuture<R> result) {}

    /**
     * @param handler handles one command, for example {@code accounts::handle}
     * @param entityOf the entity a command is about: commands of one entity run one at a time, in order
     * @param concurrency commands running at once, at most
     * @param maxPending commands sent and not yet finished, at most (at least {@code concurrency})
     * @param sendTimeout how long {@link #send} waits for room before it refuses
     */
    public CommandBus(
            Function<? super CommandEnvelope<C>, R> handler,
            Function<? super C, String> entityOf,
            int concurrency,
            int maxPending,
            Duration sendTimeout) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.entityOf = Objects.requireNonNull(entityOf, "entityOf");
        if (concurrency < 1 || maxPending < concurrency) {
            throw new IllegalArgumentException("need 1 <= concurrency <= maxPending (got concurrency " + concurrency
                    + ", maxPending " + maxPending + ")");
        }
        this.maxPending = maxPending;
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
        this.pending = new Semaphore(maxPending);
        this.workers = Executors.newFixedThreadPool(
                concurrency,
                Thread.ofPlatform().name("factum-command-", 0).daemon(true).factory());
    }

    /**
     * Queues the command behind its entity's earlier ones. The future completes with the handler's
     * result, or exceptionally with what the handler threw.
     *
     * @throws CommandBusFullException when no room came free within the send timeout
     * @throws IllegalStateException when the bus is closed
     */
    public CompletableFuture<R> send(CommandEnvelope<C> envelope) {
        String entity = Objects.requireNonNull(entityOf.apply(envelope.command()), "entityOf returned null");
        if (closed) {
            throw new IllegalStateException("the command bus is closed");
        }
        acquire();
        Task<C, R> task = new Task<>(entity, envelope, new CompletableFuture<>());
        sent.increment();
        boolean first;
        synchronized (entities) {
            ArrayDeque<Task<C, R>> queue = entities.computeIfAbsent(entity, e -> new ArrayDeque<>());
            queue.addLast(task);
            first = queue.size() == 1;
        }
        if (first) {
            start(task);
        }
        return task.result();
    }

    private void acquire() {
        try {
            if (!pending.tryAcquire(sendTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                refused.increment();
                throw new CommandBusFullException(maxPending, sendTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room on the command bus", e);
        }
    }

    private void start(Task<C, R> task) {
        try {
            workers.execute(() -> run(task));
        } catch (RejectedExecutionException e) {
            finish(task, null, new IllegalStateException("the command bus is closed", e));
        }
    }

    private void run(Task<C, R> task) {
        R result = null;
        Throwable error = null;
        try {
            result = handler.apply(task.envelope());
        } catch (Throwable e) {
            error = e;
        }
        finish(task, result, error);
    }

    /** Completes the task, then starts its entity's next command, if any. */
    private void finish(Task<C, R> task, R result, Throwable error) {
        Task<C, R> next;
        synchronized (entities) {
            ArrayDeque<Task<C, R>> queue = entities.get(task.entity());
            queue.removeFirst();
            next = queue.peekFirst();
            if (next == null) {
                entities.remove(task.entity());
            }
        }
        pending.release();
        if (error == null) {
            completed.increment();
            task.result().complete(result);
        } else {
            failed.increment();
            task.result().completeExceptionally(error);
        }
        if (next != null) {
            start(next);
        }
    }

    /**
     * Counts since the bus was built.
     *
     * @param pending sent and not yet finished (queued or running)
     * @param refused sends refused because the bus was full
     */
    public record Stats(long sent, long completed, long failed, long refused, int pending) {}

    public Stats stats() {
        return new Stats(
                sent.sum(), completed.sum(), failed.sum(), refused.sum(), maxPending - pending.availablePermits());
    }

    /** Refuses new commands and waits up to {@code timeout} for those sent to finish. */
    public boolean close(Duration timeout) throws InterruptedException {
        closed = true;
        if (!pending.tryAcquire(maxPending, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            workers.shutdownNow();
            return false;
        }
        pending.release(maxPending);
        workers.shutdown();
        return workers.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** {@link #close(Duration)} with a minute. */
    @Override
    public void close() {
        try {
            close(Duration.ofMinutes(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
