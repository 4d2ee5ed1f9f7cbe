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
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code index-memory}: heap bytes the index costs per event and per stream. Two stores of N events
 * are measured, one with few streams and one with many; for each, the heap in use after a forced
 * GC with the store freshly reopened, minus the heap in use just before opening it, is attributed
 * to the store. A linear fit through the two separates the per-event and per-stream costs, and an
 * extrapolation to 100,000,000 events is compared with a 2 GiB heap.
 */
@Command(name = "index-memory", description = "Index heap bytes per event and per stream; 100M events in 2 GiB?")
final class IndexMemoryCommand extends ScenarioCommand {

    static final long TARGET_EVENTS = 100_000_000L;
    static final long TARGET_HEAP = 2L << 30;
    static final String TARGET = "100,000,000 events within a 2 GiB heap";

    @Option(
            names = "--events",
            converter = Units.CountConverter.class,
            description = "Events in each store (default: 1_000_000).")
    long events = 1_000_000;

    @Option(
            names = "--streams",
            converter = Units.CountConverter.class,
            description = "Streams in the first store (default: events / 1000).")
    long streams = 0;

    @Option(
            names = "--many-streams",
            converter = Units.CountConverter.class,
            description = "Streams in the second store (default: events / 10).")
    long manyStreams = 0;

    /** What one store cost. */
    private record Measured(long events, long streams, long heapOpenBytes, long heapLoadedBytes, long offHeapBytes) {}

    @Override
    String name() {
        return "index-memory";
    }

    @Override
    void validate(CommandLine cmd) {
        if (events < 1) {
            throw new ParameterException(cmd, "--events " + events + " must be >= 1");
        }
        if (streams < 0 || streams > events || manyStreams < 0 || manyStreams > events) {
            throw new ParameterException(
                    cmd,
                    "--streams " + streams + " and --many-streams " + manyStreams + " must be between 1 and --events");
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
        Measured few = measure(ctx, fewStreams(), "index-memory few streams");
        Measured many = measure(ctx, lotsOfStreams(), "index-memory many streams");
        MemoryModel model = MemoryModel.fit(
                new MemoryModel.Point(few.events(), few.streams(), few.heapOpenBytes()),
                new MemoryModel.Point(many.events(), many.streams(), many.heapOpenBytes()));
        List<Figure> figures = new ArrayList<>();
        List<Figure> ratios = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Measured m : List.of(few, many)) {
            String tag = " (" + Units.formatCount(m.streams()) + " streams)";
            figures.add(Figure.of("heap after reopen" + tag, m.heapOpenBytes() / (double) (1 << 20), "MiB"));
            figures.add(Figure.of(
                    "heap per event after reopen" + tag, m.heapOpenBytes() / (double) m.events(), "bytes/event"));
            figures.add(Figure.of(
                    "heap with the loading store open" + tag, m.heapLoadedBytes() / (double) (1 << 20), "MiB"));
            figures.add(Figure.of(
                    "direct+mapped buffers after reopen" + tag, m.offHeapBytes() / (double) (1 << 20), "MiB"));
        }
        figures.add(Figure.of("fitted heap per event", model.bytesPerEvent(), "bytes/event"));
        figures.add(Figure.of("fitted heap per stream", model.bytesPerStream(), "bytes/stream"));
        for (Measured m : List.of(few, many)) {
            long perStream = Math.max(1, m.events() / m.streams());
            long targetStreams = Math.max(1, TARGET_EVENTS / perStream);
            double predicted = model.predict(TARGET_EVENTS, targetStreams);
            String at = Units.formatCount(perStream) + " events/stream";
            figures.add(Figure.of("EXTRAPOLATED heap for 100M events at " + at, predicted / (1 << 20), "MiB", TARGET));
            ratios.add(Figure.of("extrapolated heap ÷ 2 GiB at " + at, 100 * predicted / TARGET_HEAP, "%"));
            notes.add(String.format(
                    Locale.ROOT,
                    "extrapolation, not a measurement: at %s, 100,000,000 events (%s streams) would need about %.0f MiB"
                            + " of index heap, which %s a 2 GiB heap",
                    at,
                    Units.formatCount(targetStreams),
                    predicted / (1 << 20),
                    Double.isNaN(predicted)
                            ? "cannot be compared with"
                            : predicted <= TARGET_HEAP ? "fits" : "does NOT fit"));
        }
        notes.add("heap is measured after System.gc() rounds, as used heap with the store open minus used heap"
                + " just before opening it; the fit assumes heap = a*events + b*streams");
        return new Outcome(figures, ratios, notes);
    }

    private Measured measure(RunContext ctx, long streamCount, String label) throws Exception {
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
