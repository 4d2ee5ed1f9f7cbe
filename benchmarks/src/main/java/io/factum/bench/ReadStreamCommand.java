package io.factum.bench;

import io.factum.api.Direction;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.engine.Durability;
import io.factum.engine.EmbeddedEventStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code read-stream}: loads N events in streams of 1,000, then reads every stream forwards from
 * version 0 to its end, in a shuffled order (fixed seed), several times; the last pass is the
 * figure.
 */
@Command(name = "read-stream", description = "Forward reads of 1,000-event streams: events/s.")
final class ReadStreamCommand extends ScenarioCommand {

    @Mixin
    LoadOptions load = new LoadOptions(1_000_000);

    @Mixin
    PassesOption passes = new PassesOption();

    @picocli.CommandLine.Option(
            names = "--layout",
            description = "contiguous: each stream written in 1,000-event batches (a stream read is a "
                    + "sequential log read); interleaved: events round-robin over the streams (every "
                    + "event of a stream is a point read). Default: ${DEFAULT-VALUE}.")
    String layout = "contiguous";

    @Override
    String name() {
        return "read-stream";
    }

    @Override
    void validate(CommandLine cmd) {
        load.validate(cmd);
        passes.validate(cmd);
        if (!layout.equals("contiguous") && !layout.equals("interleaved")) {
            throw new picocli.CommandLine.ParameterException(
                    cmd, "--layout " + layout + " must be contiguous or interleaved");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        load.addParameters(p);
        passes.addParameters(p);
        p.put("--layout", layout);
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("read-stream");
        List<Figure> figures = new ArrayList<>();
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            long events = load.events;
            int streamLength = load.streamLength;
            int passCount = passes.passes;
            Loader.Loaded loaded = Loader.load(
                    store, events, load.streams(), Loader.DEFAULT_BATCH, layout.equals("interleaved"), ctx, "load");
            long[] order = shuffled(loaded.streams());
            int page = Math.min(streamLength, store.limits().maxReadCount());
            double[] rates = new double[passCount];
            for (int pass = 0; pass < passCount; pass++) {
                long start = System.nanoTime();
                long read = readStreams(store, order, page, ctx, "read-stream pass " + (pass + 1));
                double seconds = (System.nanoTime() - start) / 1e9;
                if (read != loaded.events()) {
                    throw new BenchmarkFailedException("read " + read + " events from streams, loaded " + events);
                }
                rates[pass] = read / seconds;
            }
            figures.add(Figure.of("events/s (pass " + passCount + ")", rates[passCount - 1], "events/s"));
            figures.add(
                    Figure.of("streams/s (pass " + passCount + ")", rates[passCount - 1] / streamLength, "streams/s"));
            for (int pass = 0; pass < passCount - 1; pass++) {
                figures.add(Figure.of("events/s (pass " + (pass + 1) + ")", rates[pass], "events/s"));
            }
            figures.add(Figure.of("streams", loaded.streams(), "streams"));
            figures.add(Figure.of("page size", page, "events"));
        } finally {
            ctx.discard(dir);
        }
        return new Outcome(
                figures,
                List.of(),
                List.of(
                        "streams are read one after another in a shuffled order (seed 42), each from version 0 to its end",
                        "every pass reads from the page cache: the log was just written and fits in memory"));
    }

    private static long[] shuffled(long streams) {
        long[] order = new long[Math.toIntExact(streams)];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static long readStreams(EmbeddedEventStore store, long[] order, int page, RunContext ctx, String label) {
        AtomicLong count = new AtomicLong();
        long checksum = 0;
        try (Progress p = Progress.start(ctx, label, "events", count::get, -1)) {
            for (long stream : order) {
                String name = Loader.streamName(stream);
                long from = 0;
                boolean end = false;
                while (!end) {
                    ReadStreamResult r = store.readStream(name, from, Direction.FORWARDS, page);
                    if (!(r instanceof ReadStreamResult.Found found)) {
                        throw new BenchmarkFailedException("stream " + name + " was loaded but reads as not found");
                    }
                    for (RecordedEvent e : found.events()) {
                        checksum += e.data().length;
                    }
                    count.addAndGet(found.events().size());
                    from += found.events().size();
                    end = found.endOfStream() || found.events().isEmpty();
                }
            }
        }
        // The checksum keeps the data reads from being optimised away; it is otherwise unused.
        return checksum < 0 ? -1 : count.get();
    }
}
