package io.factum.bench;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.StreamAppend;
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
 * {@code dcb}: dynamic consistency boundaries. Three phases, each on a fresh store:
 *
 * <ol>
 *   <li>unconditional single-event appends by N writers (the baseline of the same run);
 *   <li>DCB decisions by N deciders over T tags ({@link DecisionDriver}): read the tag's events, then
 *       append one with the condition that nothing matching was stored since;
 *   <li>query reads: load E events, each tagged with one of 100,000 entity tags, of which M also carry
 *       a probe tag spread evenly over the log; then read the probe query's M events, many times.
 * </ol>
 */
@Command(
        name = "dcb",
        description = "Conditional appends by concurrent deciders vs unconditional appends; reads of a "
                + "query matching M of E events.")
final class DcbCommand extends ScenarioCommand {

    static final String RATIO_TARGET = ">= 0.5 (conditional appends at least half the unconditional rate)";
    static final String READ_TARGET = "<= 5 ms to read 1,000 matches among 10,000,000 events";
    static final String PROBE_TAG = "probe:1";
    static final int ENTITY_TAGS = 100_000;

    @Mixin
    WriterOptions writer = new WriterOptions();

    @Option(names = "--tags", description = "Tags the deciders spread over (default: ${DEFAULT-VALUE}).")
    int tags = 10_000;

    @Mixin
    TimingOptions timing = new TimingOptions();

    @Mixin
    LoadOptions load = new LoadOptions(10_000_000);

    @Option(
            names = "--matches",
            description = "Events of the load that match the probe query (default: ${DEFAULT-VALUE}).")
    int matches = 1000;

    @Option(names = "--reads", description = "Measured reads of the probe query (default: ${DEFAULT-VALUE}).")
    int reads = 500;

    @Option(
            names = "--load-append-size",
            description = "Events per append of the query-read load; one append is one log frame "
                    + "(default: ${DEFAULT-VALUE}).")
    int loadAppendSize = 10;

    @Override
    String name() {
        return "dcb";
    }

    @Override
    void validate(CommandLine cmd) {
        writer.validate(cmd);
        timing.validate(cmd);
        load.validate(cmd);
        if (tags < 1) {
            throw new ParameterException(cmd, "--tags " + tags + " must be >= 1");
        }
        if (matches < 1 || matches > load.events) {
            throw new ParameterException(
                    cmd, "--matches " + matches + " must be between 1 and --events (" + load.events + ")");
        }
        if (reads < 1) {
            throw new ParameterException(cmd, "--reads " + reads + " must be >= 1");
        }
        if (loadAppendSize < 1 || loadAppendSize > 10_000) {
            throw new ParameterException(cmd, "--load-append-size " + loadAppendSize + " must be between 1 and 10,000");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        writer.addParameters(p);
        p.put("--tags", Integer.toString(tags));
        timing.addParameters(p);
        load.addParameters(p);
        p.put("--matches", Integer.toString(matches));
        p.put("--reads", Integer.toString(reads));
        p.put("--load-append-size", Integer.toString(loadAppendSize));
        return p;
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        Ceilings ceilings = ctx.ceilings();
        AppendDriver.Result plain = unconditional(ctx);
        DecisionDriver.Result decisions = conditional(ctx);
        double ratio = decisions.decisionsPerSec() / plain.eventsPerSec();
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.of("unconditional appends events/s", plain.eventsPerSec(), "events/s"));
        figures.add(Figure.of("conditional appends (decisions) events/s", decisions.decisionsPerSec(), "events/s"));
        figures.add(Figure.of("conditional ÷ unconditional", ratio, "x", RATIO_TARGET));
        figures.addAll(Latency.of(decisions.latencyNanos()).figures("decision latency (read + append)", ""));
        figures.add(
                Figure.of("conflicts per decision", decisions.conflicts() / (double) decisions.totalDecisions(), "x"));
        figures.add(Figure.of(
                "events read per decision", decisions.eventsRead() / (double) decisions.totalDecisions(), "x"));
        figures.addAll(queryReads(ctx));
        List<Figure> ratios = List.of(
                Figure.of(
                        "unconditional events/s ÷ fsync ceiling",
                        plain.eventsPerSec() / ceilings.fsyncOpsPerSec(),
                        "x"),
                Figure.of(
                        "conditional events/s ÷ fsync ceiling",
                        decisions.decisionsPerSec() / ceilings.fsyncOpsPerSec(),
                        "x"));
        return new Outcome(figures, ratios, notes());
    }

    private AppendDriver.Result unconditional(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("dcb-plain");
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            AppendDriver.Config config = new AppendDriver.Config(
                    writer.writers,
                    writer.threads,
                    0,
                    timing.warmup,
                    timing.duration,
                    -1,
                    ctx.eventSize(),
                    0,
                    "plain-");
            return AppendDriver.run(store, config, ctx, "dcb: unconditional appends");
        } finally {
            ctx.discard(dir);
        }
    }

    private DecisionDriver.Result conditional(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("dcb-decisions");
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.FSYNC)) {
            DecisionDriver.Config config = new DecisionDriver.Config(
                    writer.writers,
                    writer.threads,
                    tags,
                    timing.warmup,
                    timing.duration,
                    ctx.eventSize(),
                    store.limits().maxReadCount());
            DecisionDriver.Result r = DecisionDriver.run(store, config, ctx, "dcb: conditional appends");
            long stored = store.headPosition() + 1;
            if (stored != r.totalDecisions()) {
                throw new BenchmarkFailedException("the store holds " + stored + " events, the deciders made "
                        + r.totalDecisions() + " decisions");
            }
            return r;
        } finally {
            ctx.discard(dir);
        }
    }

    private List<Figure> queryReads(RunContext ctx) throws Exception {
        Path dir = ctx.newStoreDir("dcb-reads");
        // The load is set-up, not the measurement: written without fsync so that small appends
        // (small frames, as decisions write them) load 10M events in about a minute.
        try (EmbeddedEventStore store = RunContext.openStore(dir, Durability.NO_FSYNC)) {
            double loadRate = loadTagged(store, ctx);
            Query probe = Query.tagged(PROBE_TAG);
            int page = store.limits().maxReadCount();
            Histogram nanos = new Histogram(Latency.SIGNIFICANT_DIGITS);
            AtomicLong done = new AtomicLong();
            warmUpReads(store, probe, page);
            try (Progress p = Progress.start(ctx, "dcb: query reads", "reads", done::get, reads)) {
                for (int i = 0; i < reads; i++) {
                    long t0 = System.nanoTime();
                    checkedProbe(store, probe, page);
                    nanos.recordValue(System.nanoTime() - t0);
                    done.incrementAndGet();
                }
            }
            Latency latency = Latency.of(nanos);
            List<Figure> figures = new ArrayList<>();
            figures.add(Figure.of(
                    "query read of " + matches + " among " + Units.formatCount(load.events) + " events p50",
                    latency.p50Ms(),
                    "ms",
                    READ_TARGET));
            figures.add(Figure.of("query read p99", latency.p99Ms(), "ms"));
            figures.add(Figure.of("query read max", latency.maxMs(), "ms"));
            figures.add(Figure.of(
                    "load events/s (tagged, " + loadAppendSize + "-event appends, no fsync)", loadRate, "events/s"));
            return figures;
        } finally {
            ctx.discard(dir);
        }
    }

    /**
     * Reads the probe for the {@code --warmup} time (at least 10 times), unmeasured: a read costs a
     * few milliseconds, so a warmup counted in reads would end before the JIT compiled the read path
     * and the figure would measure the interpreter.
     */
    private void warmUpReads(EmbeddedEventStore store, Query probe, int page) {
        long end = System.nanoTime() + timing.warmup.toNanos();
        for (int i = 0; i < 10 || System.nanoTime() < end; i++) {
            checkedProbe(store, probe, page);
        }
    }

    private void checkedProbe(EmbeddedEventStore store, Query probe, int page) {
        int read = readProbe(store, probe, page);
        if (read != matches) {
            throw new BenchmarkFailedException(
                    "the probe query read " + read + " events, " + matches + " were written");
        }
    }

    private static int readProbe(EmbeddedEventStore store, Query probe, int page) {
        int count = 0;
        long from = 0;
        while (true) {
            QueryReadResult r = store.readByQuery(probe, from, Direction.FORWARDS, page);
            count += r.events().size();
            if (r.events().size() < page) {
                return count;
            }
            from = r.events().getLast().position() + 1;
        }
    }

    /**
     * Loads the events in appends of {@code --load-append-size} (split at stream boundaries like
     * {@link Loader});
     * event k carries {@code entity:(k mod 100,000)}, and every (E / M)-th also the probe tag.
     * Returns events/s.
     */
    private double loadTagged(EmbeddedEventStore store, RunContext ctx) {
        long perStream = Loader.eventsPerStream(load.events, load.streams());
        long stride = load.events / matches;
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (Progress p = Progress.start(ctx, "dcb: load", "events", done::get, load.events)) {
            for (long k = 0; k < load.events; k += loadAppendSize) {
                int count = (int) Math.min(loadAppendSize, load.events - k);
                List<StreamAppend> appends = new ArrayList<>();
                for (Loader.Part part : Loader.plan(k, count, perStream)) {
                    appends.add(new StreamAppend(
                            Loader.streamName(part.stream()), ExpectedVersion.any(), tagged(part, stride, ctx)));
                }
                store.appendMulti(appends);
                done.addAndGet(count);
            }
        }
        return load.events / ((System.nanoTime() - start) / 1e9);
    }

    private List<EventData> tagged(Loader.Part part, long stride, RunContext ctx) {
        List<EventData> events = new ArrayList<>(part.count());
        long t = System.nanoTime();
        for (int i = 0; i < part.count(); i++) {
            long k = part.firstEvent() + i;
            EventData e = Payloads.event(t, part.stream(), k, ctx.eventSize());
            String entity = "entity:" + (k % ENTITY_TAGS);
            boolean probe = k % stride == 0 && k / stride < matches;
            events.add(probe ? e.withTags(entity, PROBE_TAG) : e.withTags(entity));
        }
        return events;
    }

    private static List<String> notes() {
        return List.of(
                "a decision reads every event of one tag, then appends one event on the condition that no "
                        + "event with the tag was stored after the read's head; a lost race reads again and retries",
                "decision latency: from the first read to the successful append, for decisions started after the warmup",
                "query reads: from the page cache (the log was just written); the read is paged at the max read count",
                "query reads fetch each match by a point read inside its log frame: loads in larger appends "
                        + "(--load-append-size 1000) make frames larger and each point read slower");
    }
}
