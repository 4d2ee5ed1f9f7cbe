package io.factum.bench;

import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs N concurrent writers, each appending one event per call, either as fast as they can or at
 * a fixed total rate. Shared by {@code append} and {@code subscribe}.
 *
 * <p>Measurement: after {@code warmup}, for {@code duration}. An append's latency is recorded when
 * it started inside the window; it counts towards events/s when it completed inside the window.
 * At a fixed rate the k-th event overall is due at {@code start + k / rate}; whichever writer is
 * free takes the next one, and when every writer is busy the events are late (the achieved rate
 * then falls below the target, which the caller reports).
 *
 * <p>Each call to {@link #run} is independent; the driver itself holds no state.
 */
final class AppendDriver {

    /**
     * @param writers concurrent writers
     * @param threads platform or virtual threads
     * @param sharedStreams 0: each writer appends to its own stream; otherwise the writers spread
     *     their appends over this many streams
     * @param warmup unmeasured time at the start
     * @param duration measured time
     * @param eventLimit stop after this many appends in total, {@code -1} for no limit
     * @param eventSize bytes of data per event
     * @param ratePerSec total appends per second, {@code 0} for as fast as possible
     * @param streamPrefix prefix of the stream names
     */
    record Config(
            int writers,
            ThreadKind threads,
            int sharedStreams,
            Duration warmup,
            Duration duration,
            long eventLimit,
            int eventSize,
            double ratePerSec,
            String streamPrefix) {}

    /**
     * @param measuredEvents appends completed inside the window
     * @param seconds the window's length (shorter than the duration when the event limit ended it)
     * @param latencyNanos latencies of appends started inside the window
     * @param totalEvents every append completed, warmup included
     */
    record Result(long measuredEvents, double seconds, Histogram latencyNanos, long totalEvents) {
        double eventsPerSec() {
            return seconds > 0 ? measuredEvents / seconds : Double.NaN;
        }
    }

    private AppendDriver() {}

    static Result run(EventStore store, Config config, RunContext ctx, String label) throws InterruptedException {
        return run(store, config, ctx, label, windowStart -> {});
    }

    /**
     * @param onWindowStart told the {@code System.nanoTime()} at which measurement starts, before any
     *     writer runs
     */
    static Result run(EventStore store, Config config, RunContext ctx, String label, LongConsumer onWindowStart)
            throws InterruptedException {
        Run run = new Run(store, config, onWindowStart);
        try (Progress p = Progress.start(ctx, label, "events", run.appended::sum, -1, run::intervalLatency)) {
            run.startAndJoin();
        }
        run.intervalLatency();
        long windowEnd = Math.min(run.finishedNanos, run.endAt);
        return new Result(run.measured.sum(), (windowEnd - run.measureFrom) / 1e9, run.cumulative, run.appended.sum());
    }

    /** One run's shared state; the writers and the progress thread touch only thread-safe fields. */
    private static final class Run {
        private final EventStore store;
        private final Config config;
        private final LongAdder appended = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final AtomicLong claimed = new AtomicLong();
        private final AtomicLong tickets = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Recorder recorder = new Recorder(Latency.SIGNIFICANT_DIGITS);
        private final Histogram cumulative = new Histogram(Latency.SIGNIFICANT_DIGITS);
        private final CountDownLatch go = new CountDownLatch(1);
        private volatile long startNanos;
        private volatile long measureFrom;
        private volatile long endAt;
        private volatile long finishedNanos;

        private final LongConsumer onWindowStart;

        Run(EventStore store, Config config, LongConsumer onWindowStart) {
            this.store = store;
            this.config = config;
            this.onWindowStart = onWindowStart;
        }

        void startAndJoin() throws InterruptedException {
            List<Thread> threads = config.threads().start("bench-writer-", config.writers(), this::writerLoop);
            startNanos = System.nanoTime();
            measureFrom = startNanos + config.warmup().toNanos();
            endAt = measureFrom + config.duration().toNanos();
            onWindowStart.accept(measureFrom);
            go.countDown();
            ThreadKind.joinBy(threads, endAt + Duration.ofMinutes(2).toNanos(), "writer");
            finishedNanos = System.nanoTime();
            Throwable t = failure.get();
            if (t != null) {
                throw new BenchmarkFailedException("an append failed: " + t, t);
            }
        }

        private void writerLoop(int writer) {
            try {
                go.await();
                long sequence = 0;
                while (failure.get() == null) {
                    if (config.eventLimit() >= 0 && claimed.getAndIncrement() >= config.eventLimit()) {
                        return;
                    }
                    if (config.ratePerSec() > 0 && !awaitTicket()) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    if (t0 >= endAt) {
                        return;
                    }
                    store.append(
                            streamOf(writer, sequence),
                            ExpectedVersion.any(),
                            List.of(Payloads.event(t0, writer, sequence, config.eventSize())));
                    long t1 = System.nanoTime();
                    sequence++;
                    appended.increment();
                    if (t0 >= measureFrom) {
                        recorder.recordValue(t1 - t0);
                    }
                    if (t1 >= measureFrom && t1 <= endAt) {
                        measured.increment();
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        /** Waits until the next event overall is due; false when it is due after the end. */
        private boolean awaitTicket() {
            long due = startNanos + (long) (tickets.getAndIncrement() * 1e9 / config.ratePerSec());
            if (due >= endAt) {
                return false;
            }
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            return true;
        }

        private String streamOf(int writer, long sequence) {
            if (config.sharedStreams() == 0) {
                return config.streamPrefix() + writer;
            }
            return config.streamPrefix() + ((writer + sequence) % config.sharedStreams());
        }

        /** Moves the latencies recorded since the last call into the total; returns their summary. */
        synchronized String intervalLatency() {
            Histogram interval = recorder.getIntervalHistogram();
            cumulative.add(interval);
            return interval.getTotalCount() == 0 ? "" : Latency.of(interval).brief();
        }
    }
}
