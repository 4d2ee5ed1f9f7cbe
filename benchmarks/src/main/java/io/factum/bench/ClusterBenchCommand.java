package io.factum.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code cluster}: a three-node cluster on this machine, each node a {@code factum server --node
 * ... --cluster ...} child JVM on a data directory of the run (fsync on, the server's defaults),
 * driven by the official Java client with every node as a gossip seed. Phases, in order: the single-node baseline
 * of the same run (one {@code factum server}, the single-event phase of {@code bench server});
 * single-event appends against the cluster, as a fraction of that baseline; batched appends; the
 * leader SIGKILLed under load, repeatedly; a follower wiped, replaced, and timed while it copies
 * the store from the leader. See {@link ClusterPhases}.
 */
@Command(
        name = "cluster",
        description = "Three local nodes with the official Java client: appends against the single-node"
                + " baseline of the same run, batched appends, failover after SIGKILL, catch-up of a wiped node.")
final class ClusterBenchCommand extends ScenarioCommand {

    static final String APPEND_TARGET = ">= 50% of the single node's events/s";
    static final String BATCH_TARGET = ">= 200,000 events/s";
    static final String FAILOVER_TARGET = "<= 3 s";

    @Option(
            names = "--server-jvm-options",
            split = " ",
            paramLabel = "OPTION",
            description = "JVM options of every started server (the single node and each cluster node),"
                    + " space-separated.")
    List<String> serverJvmOptions = new ArrayList<>();

    @Option(names = "--writers", description = "Writers of the single-event phases (default: ${DEFAULT-VALUE}).")
    int writers = 64;

    @Option(names = "--batch-writers", description = "Writers of the batched phase (default: ${DEFAULT-VALUE}).")
    int batchWriters = 2;

    @Option(
            names = "--batch-size",
            description = "Events per batched append, also of the catch-up phase's writes (default: ${DEFAULT-VALUE}).")
    int batchSize = 1000;

    @Option(
            names = "--failover-writers",
            description = "Writers appending one event each through the failovers (default: ${DEFAULT-VALUE}).")
    int failoverWriters = 4;

    @Option(names = "--failovers", description = "Leaders killed, one per round (default: ${DEFAULT-VALUE}).")
    int failovers = 3;

    @Option(
            names = "--catchup-events",
            converter = Units.CountConverter.class,
            description = "Events written while the wiped node is away (default: 1m).")
    long catchupEvents = 1_000_000;

    @Option(
            names = "--phases",
            split = ",",
            description = "Phases to run, comma-separated: single, append, batch, failover, catchup (default: all)."
                    + " append's ratio to the single node needs single.")
    List<Phase> phases = new ArrayList<>(List.of(Phase.values()));

    @Mixin
    TimingOptions timing = new TimingOptions();

    /** The phases of the scenario, in the order they run. */
    enum Phase {
        SINGLE,
        APPEND,
        BATCH,
        FAILOVER,
        CATCHUP
    }

    @Override
    String name() {
        return "cluster";
    }

    @Override
    void validate(CommandLine cmd) {
        timing.validate(cmd);
        if (writers < 1 || batchWriters < 1 || failoverWriters < 1) {
            throw new ParameterException(cmd, "--writers, --batch-writers and --failover-writers must be >= 1");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            throw new ParameterException(cmd, "--batch-size " + batchSize + " must be between 1 and 10000");
        }
        if (failovers < 1 || failovers > 100) {
            throw new ParameterException(cmd, "--failovers " + failovers + " must be between 1 and 100");
        }
        if (catchupEvents < 1) {
            throw new ParameterException(cmd, "--catchup-events must be >= 1");
        }
        if (phases.isEmpty()) {
            throw new ParameterException(cmd, "--phases names no phase");
        }
    }

    @Override
    Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("--writers", Integer.toString(writers));
        p.put("--batch-writers", Integer.toString(batchWriters));
        p.put("--batch-size", Integer.toString(batchSize));
        p.put("--failover-writers", Integer.toString(failoverWriters));
        p.put("--failovers", Integer.toString(failovers));
        p.put("--catchup-events", Units.formatCount(catchupEvents));
        p.put(
                "--phases",
                phases.stream().map(ph -> ph.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(",")));
        timing.addParameters(p);
        if (!serverJvmOptions.isEmpty()) {
            p.put("--server-jvm-options", String.join(" ", serverJvmOptions));
        }
        return p;
    }

    boolean runs(Phase phase) {
        return phases.contains(phase);
    }

    @Override
    Outcome run(RunContext ctx) throws Exception {
        return new ClusterPhases(ctx, this).runAll(ctx.ceilings());
    }

    ClientAppendDriver.Config appendConfig(RunContext ctx, int phaseWriters, int size, String prefix) {
        return new ClientAppendDriver.Config(
                phaseWriters, size, timing.warmup, timing.duration, ctx.eventSize(), 0, prefix);
    }
}
