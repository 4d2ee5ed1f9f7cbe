package io.factum.bench;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ExpectedRevision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writers on virtual threads that append through the official client until stopped or until a
 * number of events is written, unlike {@link ClientAppendDriver}, which measures a fixed window.
 * {@code bench cluster} uses them for the load it does not measure directly: the appends that
 * carry on through a failover (failed calls are counted and retried) and the events written while
 * a node is away (a failed call stops the run).
 *
 * <p>Writer w appends {@code batchSize} events per call to stream {@code streamPrefix + w},
 * expected revision any. Thread-safe: the writers report each acknowledged call to {@link
 * AckListener} on their own threads; the scenario thread starts, waits and stops.
 */
final class BackgroundWriters implements AutoCloseable {

    /**
     * @param writers concurrent writers
     * @param batchSize events per append
     * @param eventSize bytes of data per event
     * @param streamPrefix writer w appends to {@code streamPrefix + w}
     * @param maxEvents stop once this many events are acknowledged (0: until {@link #close})
     * @param retryFailures count a failed call and go on (true), or stop every writer (false)
     */
    record Config(
            int writers, int batchSize, int eventSize, String streamPrefix, long maxEvents, boolean retryFailures) {}

    /** Told of every acknowledged call: {@code System.nanoTime()} before the call and after it. */
    interface AckListener {
        void acked(long startNanos, long endNanos);
    }

    // A call to a node that was just killed fails fast (the connection closes); one that hangs is
    // given up after 10 s, the cluster's write timeout, and retried.
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(10);

    private final EventStoreDBClient client;
    private final Config config;
    private final AckListener listener;
    private final AtomicLong reserved = new AtomicLong();
    private final LongAdder appended = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private BackgroundWriters(EventStoreDBClient client, Config config, AckListener listener) {
        this.client = client;
        this.config = config;
        this.listener = listener;
    }

    static BackgroundWriters start(EventStoreDBClient client, Config config, AckListener listener) {
        BackgroundWriters w = new BackgroundWriters(client, config, listener);
        for (int i = 0; i < config.writers(); i++) {
            int writer = i;
            w.threads.add(Thread.ofVirtual().name("bench-background-writer-", i).start(() -> w.loop(writer)));
        }
        return w;
    }

    /** Events acknowledged so far. */
    long appended() {
        return appended.sum();
    }

    /** Calls that failed so far (only counted with {@code retryFailures}). */
    long failedCalls() {
        return failed.sum();
    }

    /**
     * Waits until {@code maxEvents} are written (every writer has ended).
     *
     * @throws BenchmarkFailedException when an append failed or the writers are not done in time
     */
    void awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new BenchmarkFailedException("the writers did not write " + config.maxEvents() + " events within "
                        + Units.formatDuration(timeout) + " (" + appended() + " written)");
            }
        }
        throwIfFailed();
    }

    /** Stops the writers (each finishes its call in flight) and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join(CALL_TIMEOUT.plusSeconds(5));
            if (t.isAlive()) {
                throw new BenchmarkFailedException("writer " + t.getName() + " still blocked after it was stopped");
            }
        }
        throwIfFailed();
    }

    private void throwIfFailed() {
        Throwable t = failure.get();
        if (t != null) {
            throw new BenchmarkFailedException("an append failed: " + t, t);
        }
    }

    private void loop(int writer) {
        String stream = config.streamPrefix() + writer;
        AppendToStreamOptions options = AppendToStreamOptions.get().expectedRevision(ExpectedRevision.any());
        long sequence = 0;
        while (!stopping && failure.get() == null && reserve()) {
            long t0 = System.nanoTime();
            EventData[] events =
                    ClientAppendDriver.events(t0, writer, sequence, config.batchSize(), config.eventSize());
            sequence += events.length;
            Future<?> call = client.appendToStream(stream, options, events);
            try {
                call.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                appended.add(events.length);
                listener.acked(t0, System.nanoTime());
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                call.cancel(true);
                if (!config.retryFailures()) {
                    failure.compareAndSet(null, e instanceof ExecutionException ? e.getCause() : e);
                    return;
                }
                failed.increment();
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Claims the next batch against {@code maxEvents}; always true when there is no limit. */
    private boolean reserve() {
        return config.maxEvents() == 0 || reserved.getAndAdd(config.batchSize()) < config.maxEvents();
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_PAUSE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
