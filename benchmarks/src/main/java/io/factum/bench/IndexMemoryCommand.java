package io.factum.bench;

import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import java.nio.file.Path;
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
 * {@code index-memory}: heap bytes a store costs per event and per stream. Three stores are
 * measured: N events in few streams, N events in many streams, and N/2 events in few streams (same
 * events per stream). For each, the heap in use after forced GC with the store freshly reopened,
 * minus the heap in use just before opening it, is attributed to the store. A linear fit through
 * the three separates a fixed part (the engine's bounded caches), the per-event and the per-stream
 * costs; an extrapolation to 100,000,000 events is compared with a 2 GiB heap.
 */
@Command(name = "index-memory", description = "Index heap bytes per event and per stream; 100M events in 2 GiB?")
final class IndexMemoryCommand extends ScenarioCommand {

    static final long TARGET_EVENTS = 100_000_000L;
    static final long TARGET_HEAP = 2L << 30;
    static final String TARGET = "100,000,000 events within a 2 GiB heap";

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Events in the two large stores; the third holds half (default: 2_000_000).")
    long events = 2_000_000;

    @Option(
            names = "--streams",
            converter = Units.CountConverter.class,
            description = "Streams in the few-streams store (default: events / 1000).")
    long streams = 0;

    @Option(
            names = "--many-streams",
            converter = Units.CountConverter.class,
            description = "Streams in the many-streams store (default: events / 10).")
    long manyStreams = 0;

    /** What one store cost. */
    private record Measured(long events, long streams, long heapOpenBytes, long heapLoadedBytes, long offHeapBytes) {
        MemoryModel.Point point() {
            return new MemoryModel.Point(events, streams, heapOpenBytes);
        }
    }

    @Override
    String name() {
        return "index-memory";
    }

    @Override
    void validate(CommandLine cmd) {
        if (events < 2) {
            throw new ParameterException(cmd, "--events " + events + " must be >= 2 (one store holds half)");
        }
        if (streams < 0 || streams > events || manyStreams < 0 || manyStreams > events) {
            throw new ParameterException(
                    cmd,
                    "--streams " + streams + " and --many-streams " + manyStreams + " must be between 1 and --events");
        }
        if (fewStreams() == lotsOfStreams()) {
            throw new ParameterException(
                    cmd,
                    "--streams and --many-streams are both " + fewStreams()
                            + ": they must differ to separate the per-stream cost");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("--events", Units.formatCount(events));
        p.put("--streams", Units.formatCount(fewStreams()));
        p.put("--many-streams", Units.formatCount(lotsOfStreams()));
        return p;
    }

    long fewStreams() {
        return streams > 0 ? streams : Math.max(1, events / 1000);
    }

    long lotsOfStreams() {
        return manyStreams > 0 ? manyStreams : Math.max(1, events / 10);
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Measured few = measure(ctx, events, fewStreams(), "index-memory few streams");
        Measured many = measure(ctx, events, lotsOfStreams(), "index-memory many streams");
        Measured half = measure(ctx, events / 2, Math.max(1, fewStreams() / 2), "index-memory half the events");
        MemoryModel model = MemoryModel.fit(few.point(), many.point(), half.point());
        List<Figure> figures = new ArrayList<>();
        for (Measured m : List.of(few, many, half)) {
            String tag =
                    ", " + Units.formatCount(m.events()) + " events / " + Units.formatCount(m.streams()) + " streams";
            figures.add(Figure.of("heap after reopen" + tag, m.heapOpenBytes() / (double) (1 << 20), "MiB"));
            figures.add(Figure.of("  per event" + tag, m.heapOpenBytes() / (double) m.events(), "bytes/event"));
            figures.add(Figure.of("  heap while loading" + tag, m.heapLoadedBytes() / (double) (1 << 20), "MiB"));
            figures.add(Figure.of("  direct+mapped buffers" + tag, m.offHeapBytes() / (double) (1 << 20), "MiB"));
        }
        figures.add(Figure.of("fitted fixed heap (bounded caches)", model.fixedBytes() / (1 << 20), "MiB"));
        figures.add(Figure.of("fitted heap per event", model.bytesPerEvent(), "bytes/event"));
        figures.add(Figure.of("fitted heap per stream", model.bytesPerStream(), "bytes/stream"));
        List<Figure> ratios = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Measured m : List.of(few, many)) {
            extrapolate(model, Math.max(1, m.events() / m.streams()), figures, ratios, notes);
        }
        EngineOptions defaults = EngineOptions.defaults(ctx.runDir());
        notes.add("heap = used heap after System.gc() rounds with the store freshly reopened, minus used heap just"
                + " before opening it; fit: heap = fixed + a*events + b*streams through the three stores");
        notes.add("the fixed part holds the engine's bounded structures (idempotency cache "
                + Units.formatCount(defaults.idempotencyCacheEntries()) + " ids, index memtable up to "
                + Units.formatCount(defaults.indexMemtableEntries())
                + " entries); it is only constant when every store exceeds those bounds");
        notes.add("a fitted cost near zero, or negative, is below what this measures: heap readings are taken"
                + " when two GC rounds agree within 256 KiB");
        return new Outcome(figures, ratios, notes);
    }

    private static void extrapolate(
            MemoryModel model, long perStream, List<Figure> figures, List<Figure> ratios, List<String> notes) {
        long targetStreams = Math.max(1, TARGET_EVENTS / perStream);
        double predicted = model.predict(TARGET_EVENTS, targetStreams);
        String at = Units.formatCount(perStream) + " events/stream";
        figures.add(Figure.of("EXTRAPOLATED heap, 100M events at " + at, predicted / (1 << 20), "MiB", TARGET));
        ratios.add(Figure.of("extrapolated heap ÷ 2 GiB at " + at, 100 * predicted / TARGET_HEAP, "%"));
        String verdict = Double.isNaN(predicted)
                ? "cannot be compared with"
                : predicted <= TARGET_HEAP ? "fits within" : "does NOT fit within";
        notes.add(String.format(
                Locale.ROOT,
                "extrapolation, not a measurement: at %s, 100,000,000 events (%s streams) would need about"
                        + " %.0f MiB of heap for the store, which %s a 2 GiB heap",
                at,
                Units.formatCount(targetStreams),
                predicted / (1 << 20),
                verdict));
    }

    private static Measured measure(RunContext ctx, long events, long streamCount, String label) throws Exception {
        Path dir = ctx.newStoreDir("index-memory");
        try {
            long beforeLoad = HeapMeter.usedAfterGc();
            long loadedHeap;
            Loader.Loaded loaded;
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
                loaded = Loader.load(store, events, streamCount, Loader.DEFAULT_BATCH, ctx, label + " load");
                loadedHeap = HeapMeter.usedAfterGc() - beforeLoad;
            }
            long beforeOpen = HeapMeter.usedAfterGc();
            try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
                long openHeap = HeapMeter.usedAfterGc() - beforeOpen;
                long offHeap = HeapMeter.offHeapBufferBytes();
                ctx.err()
                        .printf(
                                Locale.ROOT,
                                "[%s] heap after reopen: %.1f MiB for %,d events in %,d streams (store reports %,d events)%n",
                                label,
                                openHeap / (double) (1 << 20),
                                loaded.events(),
                                loaded.streams(),
                                store.stats().eventCount());
                ctx.err().flush();
                return new Measured(loaded.events(), loaded.streams(), openHeap, loadedHeap, offHeap);
            }
        } finally {
            ctx.discard(dir);
        }
    }
}
