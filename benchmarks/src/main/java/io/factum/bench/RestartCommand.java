package io.factum.bench;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.EngineStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code restart}: builds a store of N events, closes it, times {@code EmbeddedEventStore.open()}
 * (which reopens with the persisted index and indexes only the tail), closes it again, then times
 * {@code EmbeddedEventStore.rebuildIndex()} (the index from the log alone).
 *
 * <p>The default is 2,000,000 events so that a quick run stays quick; the target is for
 * 10,000,000 ({@code --events 10m}).
 */
@Command(name = "restart", description = "Time to reopen a store of N events, and index rebuild events/s.")
final class RestartCommand extends ScenarioCommand {

    static final String REOPEN_TARGET = "<= 2 s for 10,000,000 events";
    static final String REBUILD_TARGET = ">= 2,000,000 events/s";

    /** 2,000,000 keeps a quick run quick; the reopen target is for 10,000,000 ({@code --events 10m}). */
    @Mixin
    LoadOptions load = new LoadOptions(2_000_000);

    @Override
    String name() {
        return "restart";
    }

    @Override
    void validate(CommandLine cmd) {
        load.validate(cmd);
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        load.addParameters(p);
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("restart");
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            Loader.Loaded loaded;
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
                loaded = Loader.load(store, load.events, load.streams(), Loader.DEFAULT_BATCH, ctx, "load");
            }
            long logBytes = directoryBytes(dir);
            Timed<EngineStats> reopen = timeOpen(dir, ctx, "reopen");
            if (reopen.value().eventCount() < loaded.events()) {
                throw new BenchmarkFailedException(
                        "reopened store holds " + reopen.value().eventCount() + " events, loaded " + loaded.events());
            }
            Timed<Long> rebuild = timeRebuild(dir, ctx);
            Timed<EngineStats> afterRebuild = timeOpen(dir, ctx, "reopen after rebuild");
            figures.add(Figure.of("reopen time (persisted index)", reopen.seconds(), "s", REOPEN_TARGET));
            figures.add(Figure.of(
                    "index rebuild events/s", rebuild.value() / rebuild.seconds(), "events/s", REBUILD_TARGET));
            figures.add(Figure.of("index rebuild time", rebuild.seconds(), "s"));
            figures.add(Figure.of("records indexed by the rebuild", rebuild.value(), "records"));
            figures.add(Figure.of("reopen time after the rebuild", afterRebuild.seconds(), "s"));
            figures.add(Figure.of("events in the store", reopen.value().eventCount(), "events"));
            figures.add(Figure.of("store size on disk (log and index)", logBytes / (double) (1 << 20), "MiB"));
            figures.add(Figure.of("index files at reopen", reopen.value().indexFileCount(), "files"));
            figures.add(Figure.of("load events/s (1,000-event batches, fsync)", loaded.eventsPerSec(), "events/s"));
            notes.add("the log was just written, so reopen and rebuild read it from the page cache (warm start)");
            if (load.events < 10_000_000) {
                notes.add("the reopen target is for 10,000,000 events; this run had " + Units.formatCount(load.events)
                        + " (use --events 10m)");
            }
        } finally {
            ctx.discard(dir);
        }
        return new Outcome(figures, List.of(), notes);
    }

    /** A value and the seconds it took to get it. */
    private record Timed<T>(T value, double seconds) {}

    private static Timed<EngineStats> timeOpen(Path dir, RunContext ctx, String label) throws Exception {
        ctx.err().println("[" + label + "] opening " + dir);
        ctx.err().flush();
        long start = System.nanoTime();
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            EngineStats stats = store.stats();
            ctx.err().printf(java.util.Locale.ROOT, "[%s] open took %.3f s%n", label, seconds);
            ctx.err().flush();
            return new Timed<>(stats, seconds);
        }
    }

    private static Timed<Long> timeRebuild(Path dir, RunContext ctx) throws Exception {
        // rebuildIndex offers no progress callback; print a heartbeat so a long rebuild is visibly alive.
        long start = System.nanoTime();
        long records;
        try (Progress p = Progress.heartbeat(ctx, "rebuild index")) {
            records = EmbeddedEventStore.rebuildIndex(EngineOptions.defaults(dir));
        }
        return new Timed<>(records, (System.nanoTime() - start) / 1e9);
    }

    private static long directoryBytes(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            return files.filter(java.nio.file.Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
