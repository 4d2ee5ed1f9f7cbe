package io.factum.bench;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ExpectedRevision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@link AppendDriver} over the network: N writers on virtual threads, each appending a batch of
 * events per call through the official client ({@code appendToStream(...).get()}, expected
 * revision any) to its own stream, as fast as possible or at a fixed total rate of calls. Every
 * event's data carries the writer's {@code System.nanoTime()} just before the call, for
 * subscribers in this process.
 *
 * <p>Measurement as in {@link AppendDriver}: calls started after the warmup give the latency;
 * events of calls completed inside the window give events/s.
 */
final class ClientAppendDriver {

    /**
     * @param writers concurrent writers
     * @param batchSize events per append
     * @param warmup unmeasured time at the start
     * @param duration measured time
     * @param eventSize bytes of data per event
     * @param callsPerSec total appends per second, 0 for as fast as possible
     * @param streamPrefix writer w appends to {@code streamPrefix + w}
     */
    record Config(
            int writers,
            int batchSize,
            Duration warmup,
            Duration duration,
            int eventSize,
            double callsPerSec,
            String streamPrefix) {}

    /**
     * @param measuredEvents events of appends completed inside the window
     * @param seconds the window's length
     * @param latencyNanos latency of appends started inside the window
     * @param totalEvents every event appended, warmup included
     */
    record Result(long measuredEvents, double seconds, Histogram latencyNanos, long totalEvents) {
        double eventsPerSec() {
            return seconds > 0 ? measuredEvents / seconds : Double.NaN;
        }
    }

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private ClientAppendDriver() {}

    static Result run(
            EventStoreDBClient client, Config config, RunContext ctx, String label, LongConsumer onWindowStart)
            throws InterruptedException {
        Run run = new Run(client, config, onWindowStart);
        try (Progress p = Progress.start(ctx, label, "events", run.appended::sum, -1, run::intervalLatency)) {
            run.startAndJoin();
        }
        run.intervalLatency();
        return new Result(run.measured.sum(), (run.endAt - run.measureFrom) / 1e9, run.cumulative, run.appended.sum());
    }

    private static final class Run {
        private final EventStoreDBClient client;
        private final Config config;
        private final LongConsumer onWindowStart;
        private final LongAdder appended = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final AtomicLong tickets = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Recorder recorder = new Recorder(Latency.SIGNIFICANT_DIGITS);
        private final Histogram cumulative = new Histogram(Latency.SIGNIFICANT_DIGITS);
        private final CountDownLatch go = new CountDownLatch(1);
        private volatile long startNanos;
        private volatile long measureFrom;
        private volatile long endAt;

        Run(EventStoreDBClient client, Config config, LongConsumer onWindowStart) {
            this.client = client;
            this.config = config;
            this.onWindowStart = onWindowStart;
        }

        void startAndJoin() throws InterruptedException {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < config.writers(); w++) {
                int writer = w;
                threads.add(Thread.ofVirtual().name("bench-client-writer-", w).start(() -> writerLoop(writer)));
            }
            startNanos = System.nanoTime();
            measureFrom = startNanos + config.warmup().toNanos();
            endAt = measureFrom + config.duration().toNanos();
            onWindowStart.accept(measureFrom);
            go.countDown();
            long joinDeadline =
                    endAt + CALL_TIMEOUT.toNanos() + Duration.ofSeconds(5).toNanos();
            for (Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, joinDeadline - System.nanoTime())));
                if (t.isAlive()) {
                    throw new BenchmarkFailedException("writer " + t.getName() + " still blocked after the end");
                }
            }
            Throwable t = failure.get();
            if (t != null) {
                throw new BenchmarkFailedException("an append failed: " + t, t);
            }
        }

        private void writerLoop(int writer) {
            String stream = config.streamPrefix() + writer;
            AppendToStreamOptions options = AppendToStreamOptions.get().expectedRevision(ExpectedRevision.any());
            try {
                go.await();
                long sequence = 0;
                while (failure.get() == null) {
                    if (config.callsPerSec() > 0 && !awaitTicket()) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    if (t0 >= endAt) {
                        return;
                    }
                    EventData[] events = events(t0, writer, sequence, config.batchSize(), config.eventSize());
                    sequence += events.length;
                    client.appendToStream(stream, options, events).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    long t1 = System.nanoTime();
                    appended.add(events.length);
                    if (t0 >= measureFrom) {
                        recorder.recordValue(t1 - t0);
                    }
                    if (t1 >= measureFrom && t1 <= endAt) {
                        measured.add(events.length);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        /** Waits until the next call overall is due; false when it is due after the end. */
        private boolean awaitTicket() {
            long due = startNanos + (long) (tickets.getAndIncrement() * 1e9 / config.callsPerSec());
            if (due >= endAt) {
                return false;
            }
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            return true;
        }

        synchronized String intervalLatency() {
            Histogram interval = recorder.getIntervalHistogram();
            cumulative.add(interval);
            return interval.getTotalCount() == 0 ? "" : Latency.of(interval).brief();
        }
    }

    /** One call's events: {@code count} payloads of writer {@code writer} from {@code firstSequence}, sent at {@code t0}. */
    static EventData[] events(long t0, int writer, long firstSequence, int count, int eventSize) {
        EventData[] events = new EventData[count];
        for (int i = 0; i < count; i++) {
            var e = Payloads.event(t0, writer, firstSequence + i, eventSize);
            events[i] = EventData.builderAsJson(Payloads.EVENT_TYPE, e.data())
                    .eventId(e.eventId())
                    .build();
        }
        return events;
    }
}
