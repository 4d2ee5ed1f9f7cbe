package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import io.factum.bench.ServerBenchCommand.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * The phases of {@code bench server}, run in order against one server with one client. Each adds
 * its figures (with the CPU shares measured over it) to the result; the single-event phase's
 * events/s sets the subscriber phases' rate.
 *
 * <p>Used once, by the scenario thread.
 */
final class ServerPhases {

    private final RunContext ctx;
    private final EventStoreDBClient client;
    private final Optional<ServerChild> child;
    private final ServerBenchCommand options;
    private final List<Figure> figures = new ArrayList<>();
    private final List<Figure> ratios = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> batchStreams = new ArrayList<>();
    private double appendRate = Double.NaN;

    ServerPhases(RunContext ctx, EventStoreDBClient client, Optional<ServerChild> child, ServerBenchCommand options) {
        this.ctx = ctx;
        this.client = client;
        this.child = child;
        this.options = options;
    }

    Outcome runAll(Ceilings ceilings) throws Exception {
        List<Phase> phases = options.phases;
        if (phases.contains(Phase.APPEND)) {
            append(ceilings);
        }
        if (phases.contains(Phase.BATCH)) {
            batch(ceilings);
        }
        if (phases.contains(Phase.READ)) {
            read();
        }
        if (phases.contains(Phase.SUBSCRIBE)) {
            for (int n : options.subscribers) {
                subscribe(n);
            }
        }
        notes.addAll(0, options.notes(child));
        return new Outcome(figures, ratios, notes);
    }

    private void append(Ceilings ceilings) throws Exception {
        var sample = CpuMeter.sample(child);
        var r = ClientAppendDriver.run(
                client,
                options.appendConfig(ctx, options.writers, 1, 0, "server-append-"),
                ctx,
                "server: append, " + options.writers + " writers, 1 event each",
                t -> {});
        var cpu = CpuMeter.sample(child).since(sample);
        appendRate = r.eventsPerSec();
        String p = "append (" + options.writers + " writers, 1 event): ";
        figures.add(Figure.of(p + "events/s", r.eventsPerSec(), "events/s", ServerBenchCommand.APPEND_TARGET));
        figures.addAll(Latency.of(r.latencyNanos()).figures(p + "latency", ""));
        addCpu(p, cpu);
        ratios.add(Figure.of(p + "events/s ÷ fsync ceiling", r.eventsPerSec() / ceilings.fsyncOpsPerSec(), "x"));
        progress(p, cpu);
    }

    private void batch(Ceilings ceilings) throws Exception {
        var sample = CpuMeter.sample(child);
        var r = ClientAppendDriver.run(
                client,
                options.appendConfig(ctx, options.batchWriters, options.batchSize, 0, "server-batch-"),
                ctx,
                "server: batched appends, " + options.batchWriters + " writers x " + options.batchSize + " events",
                t -> {});
        var cpu = CpuMeter.sample(child).since(sample);
        IntStream.range(0, options.batchWriters).forEach(w -> batchStreams.add("server-batch-" + w));
        String p = "batch (" + options.batchWriters + " writers x " + options.batchSize + " events): ";
        double mbps = r.eventsPerSec() * ctx.eventSize() / 1e6;
        figures.add(Figure.of(p + "events/s", r.eventsPerSec(), "events/s", ServerBenchCommand.BATCH_TARGET));
        figures.add(Figure.of(p + "event data MB/s", mbps, "MB/s"));
        figures.addAll(Latency.of(r.latencyNanos()).figures(p + "append latency", ""));
        addCpu(p, cpu);
        ratios.add(Figure.of(p + "event data MB/s ÷ sequential-write ceiling", 100 * mbps / ceilings.writeMBps(), "%"));
        progress(p, cpu);
    }

    private void read() throws Exception {
        for (int pass = 1; pass <= 2; pass++) {
            AtomicLong progress = new AtomicLong();
            var sample = CpuMeter.sample(child);
            long t0 = System.nanoTime();
            long n;
            try (Progress p = Progress.start(ctx, "server: read $all, pass " + pass, "events", progress::get, -1)) {
                n = ClientReads.readAll(client, options.readEvents, progress);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            var cpu = CpuMeter.sample(child).since(sample);
            if (pass == 2) {
                String p = "read $all forwards (" + n + " events, pass 2): ";
                figures.add(Figure.of(p + "events/s", n / seconds, "events/s"));
                addCpu(p, cpu);
                progress(p, cpu);
            }
        }
        if (batchStreams.isEmpty()) {
            return;
        }
        for (int pass = 1; pass <= 2; pass++) {
            AtomicLong progress = new AtomicLong();
            long t0 = System.nanoTime();
            var sample = CpuMeter.sample(child);
            long n;
            try (Progress p = Progress.start(ctx, "server: read streams, pass " + pass, "events", progress::get, -1)) {
                n = ClientReads.readStreams(client, batchStreams, progress);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            var cpu = CpuMeter.sample(child).since(sample);
            if (pass == 2) {
                String p = "read streams forwards (" + batchStreams.size() + " streams, " + n + " events, pass 2): ";
                figures.add(Figure.of(p + "events/s", n / seconds, "events/s"));
                addCpu(p, cpu);
                progress(p, cpu);
            }
        }
    }

    private void subscribe(int subscribers) throws Exception {
        double eventsPerSec = options.rate > 0 ? options.rate : Math.max(1, appendRate / 2);
        String p = "subscribe (" + subscribers + (subscribers == 1 ? " subscriber" : " subscribers") + ", "
                + String.format(Locale.ROOT, "%,.0f", eventsPerSec) + " events/s): ";
        ClientAppendDriver.Result r;
        CpuMeter.Shares cpu;
        long delivered;
        long expected;
        var latency = new org.HdrHistogram.Histogram(Latency.SIGNIFICANT_DIGITS);
        try (ClientSubscribers subs = ClientSubscribers.start(client, subscribers)) {
            var sample = CpuMeter.sample(child);
            r = ClientAppendDriver.run(
                    client,
                    options.appendConfig(ctx, options.writers, 1, eventsPerSec, "server-subscribe-"),
                    ctx,
                    "server: " + p.substring(0, p.length() - 2),
                    subs::measureFrom);
            expected = r.totalEvents() * subscribers;
            delivered = subs.awaitAtLeast(expected, ServerBenchCommand.deliveryTimeout());
            cpu = CpuMeter.sample(child).since(sample);
            latency.add(subs.histogram());
        }
        figures.addAll(
                Latency.of(latency).figures(p + "append-to-delivery latency", ServerBenchCommand.SUBSCRIBE_TARGET));
        figures.add(Figure.of(p + "achieved append rate", r.eventsPerSec(), "events/s"));
        figures.add(Figure.of(p + "deliveries/s", r.eventsPerSec() * subscribers, "events/s"));
        addCpu(p, cpu);
        if (delivered < expected) {
            notes.add(p + "only " + delivered + " of " + expected + " deliveries arrived within "
                    + Units.formatDuration(ServerBenchCommand.deliveryTimeout())
                    + " after the writers stopped: the subscribers fell behind, the latency covers only those");
        }
        progress(p, cpu);
    }

    private void addCpu(String prefix, CpuMeter.Shares cpu) {
        figures.add(Figure.of(prefix + "CPU, load generator", cpu.loadGeneratorPercent(), "%"));
        if (child.isPresent()) {
            figures.add(Figure.of(prefix + "CPU, server", cpu.serverPercent(), "%"));
        }
    }

    private void progress(String prefix, CpuMeter.Shares cpu) {
        ctx.err().println("[server] " + prefix + "done; " + cpu.brief());
        ctx.err().flush();
    }
}
