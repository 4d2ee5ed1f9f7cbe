package io.factum.bench;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.StreamAppend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs N concurrent deciders, each making DCB decisions as fast as it can: pick one of T tags at
 * random, read every event carrying it (the decision's query), then append one event with that tag
 * on the condition that nothing matching the query was stored after the read's head. A decision
 * that loses the race (condition failed) reads again and retries until it wins; the latency of a
 * decision spans its first read to its successful append.
 *
 * <p>Measurement windows as in {@link AppendDriver}: decisions started after the warmup are timed,
 * decisions completed inside the window are counted.
 */
final class DecisionDriver {

    /**
     * @param deciders concurrent deciders
     * @param threads platform or virtual threads
     * @param tags distinct tags ({@code account:0} ...) the decisions spread over
     * @param warmup unmeasured time at the start
     * @param duration measured time
     * @param eventSize bytes of data per event
     * @param pageSize events per read page (the store's max read count)
     */
    record Config(
            int deciders,
            ThreadKind threads,
            int tags,
            Duration warmup,
            Duration duration,
            int eventSize,
            int pageSize) {}

    /**
     * @param measuredDecisions decisions (one appended event each) completed inside the window
     * @param seconds the window's length
     * @param latencyNanos latencies of decisions started inside the window
     * @param conflicts conditions that failed (each followed by a retry), warmup included
     * @param eventsRead events the decisions' reads returned, warmup included
     * @param totalDecisions every decision completed, warmup included
     */
    record Result(
            long measuredDecisions,
            double seconds,
            Histogram latencyNanos,
            long conflicts,
            long eventsRead,
            long totalDecisions) {
        double decisionsPerSec() {
            return seconds > 0 ? measuredDecisions / seconds : Double.NaN;
        }
    }

    private DecisionDriver() {}

    static String tag(int k) {
        return "account:" + k;
    }

    static Result run(EventStore store, Config config, RunContext ctx, String label) throws InterruptedException {
        Run run = new Run(store, config);
        try (Progress p = Progress.start(ctx, label, "decisions", run.decided::sum, -1, run::intervalLatency)) {
            run.startAndJoin();
        }
        run.intervalLatency();
        return new Result(
                run.measured.sum(),
                (Math.min(run.finishedNanos, run.endAt) - run.measureFrom) / 1e9,
                run.cumulative,
                run.conflicts.sum(),
                run.eventsRead.sum(),
                run.decided.sum());
    }

    /** One run's shared state; deciders and the progress thread touch only thread-safe fields. */
    private static final class Run {
        private final EventStore store;
        private final Config config;
        private final LongAdder decided = new LongAdder();
        private final LongAdder measured = new LongAdder();
        private final LongAdder conflicts = new LongAdder();
        private final LongAdder eventsRead = new LongAdder();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Recorder recorder = new Recorder(Latency.SIGNIFICANT_DIGITS);
        private final Histogram cumulative = new Histogram(Latency.SIGNIFICANT_DIGITS);
        private final CountDownLatch go = new CountDownLatch(1);
        private volatile long measureFrom;
        private volatile long endAt;
        private volatile long finishedNanos;

        Run(EventStore store, Config config) {
            this.store = store;
            this.config = config;
        }

        void startAndJoin() throws InterruptedException {
            List<Thread> threads = config.threads().start("bench-decider-", config.deciders(), this::deciderLoop);
            long start = System.nanoTime();
            measureFrom = start + config.warmup().toNanos();
            endAt = measureFrom + config.duration().toNanos();
            go.countDown();
            ThreadKind.joinBy(threads, endAt + Duration.ofMinutes(2).toNanos(), "decider");
            finishedNanos = System.nanoTime();
            Throwable t = failure.get();
            if (t != null) {
                throw new BenchmarkFailedException("a decision failed: " + t, t);
            }
        }

        private void deciderLoop(int decider) {
            SplittableRandom random = new SplittableRandom(decider);
            try {
                go.await();
                long sequence = 0;
                while (failure.get() == null) {
                    long t0 = System.nanoTime();
                    if (t0 >= endAt) {
                        return;
                    }
                    decide(tag(random.nextInt(config.tags())), decider, sequence++);
                    long t1 = System.nanoTime();
                    decided.increment();
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

        /** Reads the tag's events, then appends one more on the condition; retries until it wins. */
        private void decide(String tag, int decider, long sequence) {
            Query query = Query.tagged(tag);
            while (true) {
                long head = readAll(query);
                StreamAppend part = new StreamAppend(
                        tag.replace(':', '-'),
                        ExpectedVersion.any(),
                        List.of(Payloads.event(System.nanoTime(), decider, sequence, config.eventSize())
                                .withTags(tag)));
                try {
                    store.appendMulti(List.of(part), Optional.of(AppendCondition.noneMatchingAfter(query, head)));
                    return;
                } catch (AppendConditionFailedException e) {
                    conflicts.increment();
                }
            }
        }

        /**
         * Reads every event matching the query, page by page; returns the last page's head. Each
         * page starts after the previous one's last match, so together they saw every match up to
         * that head: the condition after it is exact.
         */
        private long readAll(Query query) {
            long from = 0;
            while (true) {
                QueryReadResult r = store.readByQuery(query, from, Direction.FORWARDS, config.pageSize());
                eventsRead.add(r.events().size());
                if (r.events().size() < config.pageSize()) {
                    return r.headPosition();
                }
                from = r.events().getLast().position() + 1;
            }
        }

        synchronized String intervalLatency() {
            Histogram interval = recorder.getIntervalHistogram();
            cumulative.add(interval);
            return interval.getTotalCount() == 0 ? "" : Latency.of(interval).brief();
        }
    }
}
