package io.factum.bench;

import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.RecordedEvent;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code read-all}: loads N events, then reads {@code $all} forwards from position 0 to the head in
 * pages of the store's maximum read count, several times; the last pass is the figure (by then the
 * log is in the OS page cache).
 */
@Command(name = "read-all", description = "$all forward read in pages of the max read count: events/s.")
final class ReadAllCommand extends ScenarioCommand {

    static final String TARGET = ">= 3,000,000 events/s from page cache";

    @Mixin
    LoadOptions load = new LoadOptions(1_000_000);

    @Mixin
    PassesOption passes = new PassesOption();

    @Override
    String name() {
        return "read-all";
    }

    @Override
    void validate(CommandLine cmd) {
        load.validate(cmd);
        passes.validate(cmd);
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        load.addParameters(p);
        passes.addParameters(p);
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("read-all");
        List<Figure> figures = new ArrayList<>();
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            Loader.Loaded loaded = Loader.load(store, load.events, load.streams(), Loader.DEFAULT_BATCH, ctx, "load");
            int page = store.limits().maxReadCount();
            int passCount = passes.passes;
            double[] rates = new double[passCount];
            double mbps = 0;
            for (int pass = 0; pass < passCount; pass++) {
                long start = System.nanoTime();
                long[] counted = readAll(store, page, ctx, "read-all pass " + (pass + 1));
                double seconds = (System.nanoTime() - start) / 1e9;
                // The store may hold system records of its own; fewer than loaded would be a lost event.
                if (counted[0] < loaded.events()) {
                    throw new BenchmarkFailedException(
                            "read " + counted[0] + " events from $all, loaded " + loaded.events());
                }
                rates[pass] = counted[0] / seconds;
                mbps = counted[1] / 1e6 / seconds;
            }
            figures.add(Figure.of("events/s (pass " + passCount + ")", rates[passCount - 1], "events/s", TARGET));
            figures.add(Figure.of("event data MB/s (pass " + passCount + ")", mbps, "MB/s"));
            for (int pass = 0; pass < passCount - 1; pass++) {
                figures.add(Figure.of("events/s (pass " + (pass + 1) + ")", rates[pass], "events/s"));
            }
            figures.add(Figure.of("page size (max read count)", page, "events"));
            figures.add(Figure.of("load events/s (1,000-event batches, fsync)", loaded.eventsPerSec(), "events/s"));
        } finally {
            ctx.discard(dir);
        }
        return new Outcome(
                figures,
                List.of(),
                List.of("every pass reads from the page cache: the log was just written and fits in memory"));
    }

    /** Reads $all forwards to the end; returns {events, data bytes}. */
    static long[] readAll(EmbeddedEventStore store, int page, RunContext ctx, String label) {
        AtomicLong count = new AtomicLong();
        long bytes = 0;
        try (Progress p = Progress.start(ctx, label, "events", count::get, store.headPosition() + 1)) {
            long position = 0;
            boolean end = false;
            while (!end) {
                ReadAllResult r = store.readAll(ReadAllOptions.forwards(position, page));
                for (RecordedEvent e : r.events()) {
                    bytes += e.data().length;
                }
                count.addAndGet(r.events().size());
                position = r.nextPosition();
                end = r.endOfAll() || r.events().isEmpty();
            }
        }
        return new long[] {count.get(), bytes};
    }
}
