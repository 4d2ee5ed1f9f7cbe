package io.factum.bench;

import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code subscribe}: one live subscriber to {@code $all} while writers append one event per call at
 * a fixed total rate. Latency is the subscriber's {@code System.nanoTime()} on delivery minus the
 * writer's {@code System.nanoTime()} just before its append, carried in the event data.
 *
 * <p>The default rate is half the maximum of an {@code append} run in the same invocation; when
 * there was none, a short calibration run of {@code append} (same writers) measures it first.
 */
@Command(
        name = "subscribe",
        description = "Append-to-subscriber latency on $all at a fixed rate (default: half the max append rate).")
final class SubscribeCommand extends ScenarioCommand {

    static final String TARGET = "<= 2 ms at half max load";

    @Mixin
    WriterOptions writer = new WriterOptions();

    @Option(
            names = "--rate",
            converter = Units.CountConverter.class,
            description = "Appends per second in total (default: half the max measured by a quick append run).")
    long rate = 0;

    @Option(
            names = "--calibration",
            converter = Units.DurationConverter.class,
            description = "Measured time of the calibration append run (default: 3s).")
    Duration calibration = Duration.ofSeconds(3);

    @Mixin
    TimingOptions timing = new TimingOptions();

    /** How the rate was chosen, for the notes. */
    private String rateSource = "--rate";

    @Override
    String name() {
        return "subscribe";
    }

    @Override
    void validate(CommandLine cmd) {
        writer.validate(cmd);
        timing.validate(cmd);
        if (rate == 0 && calibration.isZero()) {
            throw new ParameterException(cmd, "--calibration must be longer than 0 when --rate is not given");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        writer.addParameters(p);
        // The rate actually used, so that the reproduce line repeats the same load.
        p.put("--rate", Units.formatCount(rate));
        timing.addParameters(p);
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        if (rate == 0) {
            rate = Math.max(1, Math.round(maxAppendRate(ctx) / 2));
        }
        Path dir = ctx.newStoreDir("subscribe");
        Listener listener = new Listener();
        AppendDriver.Result written;
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            try (Subscription sub = store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.end()), listener)) {
                written = AppendDriver.run(store, driverConfig(ctx), ctx, "subscribe", t -> listener.measureFrom = t);
                listener.awaitAtLeast(written.totalEvents(), Duration.ofSeconds(60));
            }
        } finally {
            ctx.discard(dir);
        }
        listener.failure().ifPresent(t -> {
            throw new BenchmarkFailedException("the subscription failed: " + t, t);
        });
        List<Figure> figures = new ArrayList<>();
        figures.addAll(Latency.of(listener.histogram()).figures("append-to-delivery latency", TARGET));
        figures.add(Figure.of("target rate", rate, "events/s"));
        figures.add(Figure.of("achieved append rate", written.eventsPerSec(), "events/s"));
        figures.addAll(Latency.of(written.latencyNanos()).figures("append latency", ""));
        figures.add(Figure.of("events delivered", listener.received.get(), "events"));
        return new Outcome(figures, List.of(), notes());
    }

    private AppendDriver.Config driverConfig(RunContext ctx) {
        return new AppendDriver.Config(
                writer.writers,
                writer.threads,
                0,
                timing.warmup,
                timing.duration,
                -1,
                ctx.eventSize(),
                rate,
                "subscribe-");
    }

    private double maxAppendRate(RunContext ctx) throws Exception {
        if (ctx.appendRate().isPresent()) {
            rateSource = "half the events/s of the append run earlier in this invocation";
            return ctx.appendRate().getAsDouble();
        }
        Path dir = ctx.newStoreDir("subscribe-calibration");
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            AppendDriver.Config quick = new AppendDriver.Config(
                    writer.writers,
                    writer.threads,
                    0,
                    Duration.ofSeconds(1),
                    calibration,
                    -1,
                    ctx.eventSize(),
                    0,
                    "calibrate-");
            double max =
                    AppendDriver.run(store, quick, ctx, "subscribe calibration").eventsPerSec();
            rateSource = "half the events/s of a " + Units.formatDuration(calibration) + " calibration append run ("
                    + Figure.format(max, "events/s") + ")";
            return max;
        } finally {
            ctx.discard(dir);
        }
    }

    private List<String> notes() {
        return List.of(
                "rate: " + rateSource,
                "latency: subscriber's nanoTime at delivery minus the writer's nanoTime just before append(), "
                        + "for events appended after the warmup; a late writer (all busy) adds no queueing delay here, "
                        + "compare the achieved rate with the target",
                "the subscription starts at the end of an empty store and is live throughout");
    }

    /** Records delivery latency; called by the subscription's single delivery thread. */
    private static final class Listener implements SubscriptionListener {
        private final SingleWriterRecorder recorder = new SingleWriterRecorder(Latency.SIGNIFICANT_DIGITS);
        private final AtomicLong received = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Until the driver sets it, nothing is measured. */
        private volatile long measureFrom = Long.MAX_VALUE;

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            long now = System.nanoTime();
            long appendStart = Payloads.nanoTimeOf(event.data());
            if (appendStart >= measureFrom) {
                recorder.recordValue(Math.max(0, now - appendStart));
            }
            received.incrementAndGet();
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            error.ifPresent(t -> failure.compareAndSet(null, t));
        }

        /** Waits (bounded) until {@code n} events arrived; the delivery thread runs meanwhile. */
        void awaitAtLeast(long n, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (received.get() < n && failure.get() == null) {
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkFailedException("the subscriber received " + received.get() + " of " + n
                            + " events within " + Units.formatDuration(timeout));
                }
                LockSupport.parkNanos(1_000_000);
            }
        }

        Histogram histogram() {
            return recorder.getIntervalHistogram();
        }

        Optional<Throwable> failure() {
            return Optional.ofNullable(failure.get());
        }
    }
}
