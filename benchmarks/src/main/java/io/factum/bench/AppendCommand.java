package io.factum.bench;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    WriterOptions writer = new WriterOptions();

    @Option(
            names = "--shared-streams",
            paramLabel = "N",
            description = "0: each writer appends to its own stream; N > 0: all writers share N streams "
                    + "(default: ${DEFAULT-VALUE}).")
    int sharedStreams = 0;

    @Mixin
    TimingOptions timing = new TimingOptions();

    @Mixin
    EventLimitOption limit = new EventLimitOption();

    @Option(names = "--durability", description = "fsync or no_fsync (default: fsync).")
    Durability durability = Durability.FSYNC;

    @Override
    String name() {
        return "append";
    }

    @Override
    void validate(CommandLine cmd) {
        writer.validate(cmd);
        if (sharedStreams < 0) {
            throw new ParameterException(cmd, "--shared-streams " + sharedStreams + " must be >= 0");
        }
        timing.validate(cmd);
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        writer.addParameters(p);
        p.put("--shared-streams", Integer.toString(sharedStreams));
        timing.addParameters(p);
        limit.addParameters(p);
        p.put("--durability", durability.name().toLowerCase(Locale.ROOT));
        return p;
    }

    AppendDriver.Config driverConfig(RunContext ctx) {
        return new AppendDriver.Config(
                writer.writers,
                writer.threads,
                sharedStreams,
                timing.warmup,
                timing.duration,
                limit.events,
                ctx.eventSize(),
                0,
                "append-");
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
