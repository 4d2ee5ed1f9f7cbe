package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import io.factum.bench.ClusterBenchCommand.Phase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The phases of {@code bench cluster}, in order: the single-node baseline (one {@code factum
 * server}, started, measured and stopped before the cluster starts, so that the two never share
 * the machine), then, against one three-node {@link LocalCluster} and one client given every node as a seed,
 * single-event appends, batched appends, {@link FailoverRounds} and {@link CatchUp}. The single-event
 * and batched phases are {@code bench server}'s, run by the same {@link ClientAppendDriver} with
 * the same configuration.
 *
 * <p>Used once, by the scenario thread.
 */
final class ClusterPhases {

    static final int NODES = 3;
    private static final Duration ELECTION_WAIT = Duration.ofSeconds(60);

    private final RunContext ctx;
    private final ClusterBenchCommand options;
    private final List<Figure> figures = new ArrayList<>();
    private final List<Figure> ratios = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private double singleRate = Double.NaN;

    ClusterPhases(RunContext ctx, ClusterBenchCommand options) {
        this.ctx = ctx;
        this.options = options;
    }

    Outcome runAll(Ceilings ceilings) throws Exception {
        if (options.runs(Phase.SINGLE)) {
            single(ceilings);
        }
        if (options.phases.stream().anyMatch(p -> p != Phase.SINGLE)) {
            Path root = ctx.newStoreDir("cluster");
            try (LocalCluster cluster = LocalCluster.create(root, NODES, options.serverJvmOptions)) {
                progress("starting " + NODES + " nodes in " + root + " (output in " + root.resolve("n*.log") + ")");
                cluster.startAll();
                progress("nodes listening; leader " + cluster.awaitLeader(ELECTION_WAIT) + "; clients: "
                        + cluster.clientUrl());
                clusterPhases(cluster, ceilings);
            }
        }
        notes.addAll(0, notes());
        return new Outcome(figures, ratios, notes);
    }

    private void clusterPhases(LocalCluster cluster, Ceilings ceilings) throws Exception {
        if (options.runs(Phase.APPEND) || options.runs(Phase.BATCH)) {
            EventStoreDBClient client = cluster.newClient();
            try {
                if (options.runs(Phase.APPEND)) {
                    append(client, cluster, ceilings);
                }
                if (options.runs(Phase.BATCH)) {
                    batch(client, cluster, ceilings);
                }
            } finally {
                shutdown(client);
            }
        }
        // Each with clients of its own: a client that lost its node may have given up for good.
        if (options.runs(Phase.FAILOVER)) {
            add(new FailoverRounds(ctx, options, cluster).run());
        }
        if (options.runs(Phase.CATCHUP)) {
            add(new CatchUp(ctx, options, cluster).run());
        }
    }

    static void shutdown(EventStoreDBClient client) throws Exception {
        client.shutdown().get(30, TimeUnit.SECONDS);
    }

    private void single(Ceilings ceilings) throws Exception {
        Path dir = ctx.newStoreDir("single");
        try (ServerChild server =
                ServerChild.start(dir, options.serverJvmOptions, ctx.runDir().resolve("single.log"))) {
            progress("single node: started a server (pid " + server.pid() + ") on " + dir + ": " + server.url());
            EventStoreDBClient client =
                    EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(server.url()));
            try {
                singleRate = singleEvents(client, List.of(server), "single node", ceilings);
            } finally {
                shutdown(client);
            }
        }
    }

    private void append(EventStoreDBClient client, LocalCluster cluster, Ceilings ceilings) throws Exception {
        double rate = singleEvents(client, cluster.processes(), "cluster", ceilings);
        String p = "cluster: append (" + options.writers + " writers, 1 event): ";
        if (Double.isNaN(singleRate)) {
            notes.add("cluster append: no ratio to the single node, whose phase did not run (--phases)");
            return;
        }
        figures.add(Figure.of(
                p + "events/s ÷ single node's", 100 * rate / singleRate, "%", ClusterBenchCommand.APPEND_TARGET));
    }

    /** {@code bench server}'s single-event phase; returns its events/s. */
    private double singleEvents(EventStoreDBClient client, List<ServerChild> servers, String who, Ceilings ceilings)
            throws InterruptedException {
        String streams = who.equals("cluster") ? "cluster-append-" : "single-append-";
        var sample = CpuMeter.sample(servers);
        var r = ClientAppendDriver.run(
                client,
                options.appendConfig(ctx, options.writers, 1, streams),
                ctx,
                who + ": append, " + options.writers + " writers, 1 event each",
                t -> {});
        var cpu = CpuMeter.sample(servers).since(sample);
        String p = who + ": append (" + options.writers + " writers, 1 event): ";
        figures.add(Figure.of(p + "events/s", r.eventsPerSec(), "events/s"));
        figures.addAll(Latency.of(r.latencyNanos()).figures(p + "latency", ""));
        addCpu(p, cpu, servers.size(), r.eventsPerSec());
        ratios.add(Figure.of(p + "events/s ÷ fsync ceiling", r.eventsPerSec() / ceilings.fsyncOpsPerSec(), "x"));
        progress(p + "done; " + brief(cpu, servers.size()));
        return r.eventsPerSec();
    }

    private void batch(EventStoreDBClient client, LocalCluster cluster, Ceilings ceilings) throws Exception {
        List<ServerChild> servers = cluster.processes();
        var sample = CpuMeter.sample(servers);
        var r = ClientAppendDriver.run(
                client,
                options.appendConfig(ctx, options.batchWriters, options.batchSize, "cluster-batch-"),
                ctx,
                "cluster: batched appends, " + options.batchWriters + " writers x " + options.batchSize + " events",
                t -> {});
        var cpu = CpuMeter.sample(servers).since(sample);
        String p = "cluster: batch (" + options.batchWriters + " writers x " + options.batchSize + " events): ";
        double mbps = r.eventsPerSec() * ctx.eventSize() / 1e6;
        figures.add(Figure.of(p + "events/s", r.eventsPerSec(), "events/s", ClusterBenchCommand.BATCH_TARGET));
        figures.add(Figure.of(p + "event data MB/s", mbps, "MB/s"));
        figures.addAll(Latency.of(r.latencyNanos()).figures(p + "append latency", ""));
        addCpu(p, cpu, servers.size(), r.eventsPerSec());
        ratios.add(Figure.of(p + "event data MB/s ÷ sequential-write ceiling", 100 * mbps / ceilings.writeMBps(), "%"));
        progress(p + "done; " + brief(cpu, servers.size()));
    }

    private void add(Outcome phase) {
        figures.addAll(phase.figures());
        ratios.addAll(phase.ratios());
        notes.addAll(phase.notes());
    }

    private void addCpu(String prefix, CpuMeter.Shares cpu, int servers, double eventsPerSec) {
        figures.add(Figure.of(prefix + "CPU, load generator", cpu.loadGeneratorPercent(), "%"));
        figures.add(Figure.of(prefix + "CPU, " + serversName(servers), cpu.serverPercent(), "%"));
        // The cores the servers kept busy on average, per event stored each second.
        double coresBusy = cpu.serverPercent() / 100 * Runtime.getRuntime().availableProcessors();
        figures.add(Figure.of(
                prefix + "CPU per event, " + serversName(servers), 1e6 * coresBusy / eventsPerSec, "µs/event"));
    }

    private static String serversName(int servers) {
        return servers == 1 ? "server" : servers + " nodes (sum)";
    }

    private static String brief(CpuMeter.Shares cpu, int servers) {
        return "CPU: load generator " + Figure.format(cpu.loadGeneratorPercent(), "%") + ", " + serversName(servers)
                + " " + Figure.format(cpu.serverPercent(), "%") + " of "
                + Runtime.getRuntime().availableProcessors() + " cores";
    }

    private List<String> notes() {
        List<String> n = new ArrayList<>();
        n.add("single node: one factum server (no --cluster) in a child JVM on a data directory of the run (fsync"
                + " on), measured before the cluster starts and stopped before it; the single-event phase of bench"
                + " server, with the same writers and timing");
        n.add("cluster: " + NODES + " nodes, each factum server --node ID --cluster ... in a child JVM on its own"
                + " data directory of the run, on loopback, all on this machine's cores and disk; an append is"
                + " acknowledged once a majority has fsynced its Raft entry (the nodes' stores run without fsync,"
                + " the Raft log is what is durable; the server's defaults)");
        n.add("client: com.eventstore:db-client-java 5.4.5, one client (esdb:// with every node a gossip seed; to"
                + " the single node a plain esdb:// string), writers on virtual threads calling"
                + " appendToStream(...).get(), expected revision any, one stream per writer");
        n.add("latency: from just before appendToStream() to the future's completion, for calls started after"
                + " the warmup");
        n.add("CPU: share of all cores over each phase (user + system), from the processes' CPU times; for the"
                + " cluster the sum of the " + NODES + " node processes; CPU per event is the servers' average busy"
                + " cores over the phase (warmup included) divided by the measured events/s. Not reported for"
                + " failover and catch-up, in which nodes are killed and restarted");
        return n;
    }

    private void progress(String line) {
        ctx.err().println("[cluster] " + line);
        ctx.err().flush();
    }
}
