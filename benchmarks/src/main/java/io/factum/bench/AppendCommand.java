package io.factum.bench;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code append}: N concurrent writers, one event per append, fsync durability. Reports events/s,
 * append latency percentiles and events/s divided by the fsync ceiling: how many events one fsync
 * carries on average (the group-commit gain).
 */
@Command(
        name = "append",
        description = "Concurrent writers, 1 event per append, fsync: events/s, latency, group-commit gain.")
final class AppendCommand extends ScenarioCommand {

    static final String TARGET = ">= 300,000 events/s with 64 writers (KurrentDB published 15,000-33,000 writes/s)";

    @Option(names = "--writers", description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
    int writers = 64;

    @Option(names = "--threads", description = "Writer threads: platform or virtual (default: platform).")
    ThreadKind threads = ThreadKind.PLATFORM;

    @Option(
            names = "--shared-streams",
            paramLabel = "N",
            description = "0: each writer appends to its own stream; N > 0: all writers share N streams "
                    + "(default: ${DEFAULT-VALUE}).")
    int sharedStreams = 0;

    @Option(
            names = "--duration",
            converter = Units.DurationConverter.class,
            description = "Measured time (default: 10s).")
    Duration duration = Duration.ofSeconds(10);

    @Option(
            names = "--warmup",
            converter = Units.DurationConverter.class,
            description = "Unmeasured time before it (default: 2s).")
    Duration warmup = Duration.ofSeconds(2);

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Stop after this many appends in total, warmup included (default: no limit).")
    long events = -1;

    @Option(names = "--durability", description = "fsync or no_fsync (default: fsync).")
    Durability durability = Durability.FSYNC;

    @Override
    String name() {
        return "append";
    }

    @Override
    void validate(CommandLine cmd) {
        if (writers < 1) {
            throw new ParameterException(cmd, "--writers " + writers + " must be >= 1");
        }
        if (sharedStreams < 0) {
            throw new ParameterException(cmd, "--shared-streams " + sharedStreams + " must be >= 0");
        }
        if (duration.isZero()) {
            throw new ParameterException(cmd, "--duration must be longer than 0");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("--writers", Integer.toString(writers));
        p.put("--threads", threads.optionValue());
        p.put("--shared-streams", Integer.toString(sharedStreams));
        p.put("--duration", Units.formatDuration(duration));
        p.put("--warmup", Units.formatDuration(warmup));
        if (events >= 0) {
            p.put("--events", Units.formatCount(events));
        }
        p.put("--durability", durability.name().toLowerCase(Locale.ROOT));
        return p;
    }

    AppendDriver.Config driverConfig(RunContext ctx) {
        return new AppendDriver.Config(
                writers, threads, sharedStreams, warmup, duration, events, ctx.eventSize(), 0, "append-");
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings ceilings = ctx.ceilings();
        Path dir = ctx.newStoreDir("append");
        AppendDriver.Result r;
        long syncs;
        try (EmbeddedEventStore store = RunContext.openStore(dir, durability)) {
            r = AppendDriver.run(store, driverConfig(ctx), ctx, "append");
            syncs = store.stats().syncs();
        } finally {
            ctx.discard(dir);
        }
        ctx.appendRate(r.eventsPerSec());
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of("events/s", r.eventsPerSec(), "events/s", TARGET));
        figures.addAll(Latency.of(r.latencyNanos()).figures("append latency", ""));
        figures.add(Figure.of("events appended (warmup included)", r.totalEvents(), "events"));
        figures.add(Figure.of("fsyncs by the store (warmup included)", syncs, "fsyncs"));
        figures.add(
                Figure.of("events per store fsync", syncs > 0 ? r.totalEvents() / (double) syncs : Double.NaN, "x"));
        List<Figure> ratios = List.of(Figure.of(
                "events/s ÷ fsync ceiling (group-commit gain)", r.eventsPerSec() / ceilings.fsyncOpsPerSec(), "x"));
        return new Outcome(figures, ratios, notes());
    }

    private List<String> notes() {
        List<String> notes = new ArrayList<>();
        notes.add("latency: from just before append() to its return, for appends started after the warmup");
        if (durability != Durability.FSYNC) {
            notes.add("durability " + durability + ": appends are NOT fsynced; not comparable with the fsync target");
        }
        return notes;
    }
}
