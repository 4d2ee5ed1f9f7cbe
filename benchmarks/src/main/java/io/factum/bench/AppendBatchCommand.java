package io.factum.bench;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code append-batch}: one writer appending batches of 1,000 events with fsync. Reports events/s,
 * payload MB/s, log MB/s (bytes the store's log grew by, framing included) and the log MB/s as a
 * share of the sequential-write ceiling.
 */
@Command(
        name = "append-batch",
        description = "One writer, batches of 1,000 events, fsync: events/s, MB/s, share of disk bandwidth.")
final class AppendBatchCommand extends ScenarioCommand {

    static final String TARGET = ">= 1,000,000 events/s or >= 60% of disk bandwidth";

    @Option(names = "--batch-size", description = "Events per append (default: ${DEFAULT-VALUE}).")
    int batchSize = 1000;

    @Option(
            names = "--streams",
            description = "Batches go round-robin to this many streams (default: ${DEFAULT-VALUE}).")
    int streams = 100;

    @Mixin
    TimingOptions timing = new TimingOptions();

    @Mixin
    EventLimitOption limit = new EventLimitOption();

    @Override
    String name() {
        return "append-batch";
    }

    @Override
    void validate(CommandLine cmd) {
        if (batchSize < 1) {
            throw new ParameterException(cmd, "--batch-size " + batchSize + " must be >= 1");
        }
        if (streams < 1) {
            throw new ParameterException(cmd, "--streams " + streams + " must be >= 1");
        }
        timing.validate(cmd);
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("--batch-size", Integer.toString(batchSize));
        p.put("--streams", Integer.toString(streams));
        timing.addParameters(p);
        limit.addParameters(p);
        return p;
    }

    /** What the measured window saw. */
    private record Window(long events, long payloadBytes, long logBytes, double seconds, Histogram latencyNanos) {}

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings ceilings = ctx.ceilings();
        Path dir = ctx.newStoreDir("append-batch");
        Window w;
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            w = measure(store, ctx);
        } finally {
            ctx.discard(dir);
        }
        double eventsPerSec = w.events() / w.seconds();
        double payloadMBps = w.payloadBytes() / 1e6 / w.seconds();
        double logMBps = w.logBytes() / 1e6 / w.seconds();
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of("events/s", eventsPerSec, "events/s", TARGET));
        figures.add(Figure.of("payload MB/s (event data)", payloadMBps, "MB/s"));
        figures.add(Figure.of("log MB/s (bytes the log grew by)", logMBps, "MB/s"));
        figures.addAll(Latency.of(w.latencyNanos()).figures("batch append latency", ""));
        List<Figure> ratios = List.of(
                Figure.of("log MB/s ÷ sequential-write ceiling", 100 * logMBps / ceilings.writeMBps(), "%"),
                Figure.of("payload MB/s ÷ sequential-write ceiling", 100 * payloadMBps / ceilings.writeMBps(), "%"));
        return new Outcome(
                figures,
                ratios,
                List.of("one append = one batch of " + batchSize + " events to one stream, ExpectedVersion.any()"));
    }

    private Window measure(EmbeddedEventStore store, RunContext ctx) {
        AtomicLong done = new AtomicLong();
        Histogram latency = new Histogram(Latency.SIGNIFICANT_DIGITS);
        long start = System.nanoTime();
        long measureFrom = start + timing.warmup.toNanos();
        long endAt = measureFrom + timing.duration.toNanos();
        long events = limit.events;
        long measuredEvents = 0;
        long payload = 0;
        long logAtStart = -1;
        long firstMeasured = -1;
        long now = start;
        try (Progress p = Progress.start(ctx, "append-batch", "events", done::get, events)) {
            for (long batch = 0; now < endAt && (events < 0 || done.get() < events); batch++) {
                List<EventData> list = batch(batch, ctx.eventSize());
                if (logAtStart < 0 && now >= measureFrom) {
                    logAtStart = store.stats().logBytes();
                }
                long t0 = System.nanoTime();
                store.append("batch-" + (batch % streams), ExpectedVersion.any(), list);
                now = System.nanoTime();
                done.addAndGet(list.size());
                if (t0 >= measureFrom) {
                    firstMeasured = firstMeasured < 0 ? t0 : firstMeasured;
                    latency.recordValue(now - t0);
                    measuredEvents += list.size();
                    payload += list.stream().mapToLong(EventData::sizeBytes).sum();
                }
            }
        }
        long logBytes = logAtStart < 0 ? 0 : store.stats().logBytes() - logAtStart;
        // From the start of the first measured batch to the end of the last one.
        double seconds = firstMeasured < 0 ? Double.NaN : (now - firstMeasured) / 1e9;
        return new Window(measuredEvents, payload, logBytes, seconds, latency);
    }

    private List<EventData> batch(long batch, int eventSize) {
        List<EventData> list = new ArrayList<>(batchSize);
        long t = System.nanoTime();
        for (int i = 0; i < batchSize; i++) {
            list.add(Payloads.event(t, 0, batch * batchSize + i, eventSize));
        }
        return list;
    }
}
