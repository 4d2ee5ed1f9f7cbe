package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The failover phase of {@code bench cluster}: a few writers append one event per call through
 * the cluster client, without pause; the leader (the node whose {@code /info} says role leader)
 * is SIGKILLed. Measured from just before the kill:
 *
 * <ul>
 *   <li>until one of the surviving nodes' {@code /info} reports role leader (polled every 20 ms);
 *   <li>until the first append acknowledged afterwards, by any writer. Only calls started after
 *       the killed process is gone count, so that an answer the old leader sent just before it
 *       died is never taken for one from the new leader.
 * </ul>
 *
 * <p>Then the writers stop, the killed node is restarted on its data directory, and the next round
 * starts once every node reports the same head position. Failed calls during a round (to the dead
 * leader, or to a node not yet leading) are counted and retried after 10 ms. Each round has a
 * client of its own: the official Java client gives up for good once its discovery
 * attempts are spent, and a round in which no append is acknowledged within a minute is reported
 * as such (n/a) rather than ending the run.
 *
 * <p>Used once, by the scenario thread.
 */
final class FailoverRounds {

    /** What one round measured. */
    record Round(
            String killed,
            String newLeader,
            double leaderSeconds,
            double firstAckSeconds,
            double rejoinSeconds,
            long failedCalls) {}

    /** Writers append this long before the kill, so that the kill hits a cluster under load. */
    private static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(2);
    /** And this long after the first acknowledgement, to show the new leader carries on. */
    private static final Duration LOAD_AFTER_ACK = Duration.ofSeconds(1);

    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(60);
    private static final Duration REJOIN_WAIT = Duration.ofMinutes(5);

    private final RunContext ctx;
    private final ClusterBenchCommand options;
    private final LocalCluster cluster;
    private final List<String> notes = new ArrayList<>();

    FailoverRounds(RunContext ctx, ClusterBenchCommand options, LocalCluster cluster) {
        this.ctx = ctx;
        this.options = options;
        this.cluster = cluster;
    }

    Outcome run() throws Exception {
        List<Round> rounds = new ArrayList<>();
        for (int k = 1; k <= options.failovers; k++) {
            rounds.add(round(k));
        }
        List<Figure> figures = new ArrayList<>();
        for (int k = 1; k <= rounds.size(); k++) {
            Round r = rounds.get(k - 1);
            String p = "failover " + k + " (killed leader " + r.killed() + ", new leader " + r.newLeader() + "): ";
            figures.add(Figure.of(p + "kill to new leader", r.leaderSeconds(), "s"));
            figures.add(Figure.of(p + "kill to first acknowledged append", r.firstAckSeconds(), "s"));
            figures.add(Figure.of(p + "failed calls", r.failedCalls(), "calls"));
            figures.add(Figure.of(p + "restarted node, listening to equal heads", r.rejoinSeconds(), "s"));
        }
        String p = "failover, worst of " + rounds.size() + ": ";
        figures.add(Figure.of(
                p + "kill to new leader",
                worst(rounds, Round::leaderSeconds),
                "s",
                ClusterBenchCommand.FAILOVER_TARGET));
        figures.add(Figure.of(
                p + "kill to first acknowledged append",
                worst(rounds, Round::firstAckSeconds),
                "s",
                ClusterBenchCommand.FAILOVER_TARGET));
        notes.add(
                0,
                "failover: each round with a new client; " + options.failoverWriters + " writers"
                        + " append 1 event per call without pause (failed calls retried after 10 ms); "
                        + Units.formatDuration(LOAD_BEFORE_KILL)
                        + " after they start, the leader is SIGKILLed; 'kill to new"
                        + " leader' ends when a surviving node's /info says role leader (polled every "
                        + POLL.toMillis()
                        + " ms), 'kill to first acknowledged append' at the first acknowledgement of a call started after the"
                        + " killed process was gone. The killed node is then restarted on its data, and the next round waits"
                        + " until every node reports the same head position");
        return new Outcome(figures, List.of(), notes);
    }

    /** The largest value; n/a (NaN) when a round never recovered. */
    private static double worst(List<Round> rounds, java.util.function.ToDoubleFunction<Round> value) {
        return rounds.stream()
                .mapToDouble(value)
                .reduce(0, (a, b) -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b));
    }

    private Round round(int k) throws Exception {
        EventStoreDBClient client = cluster.newClient();
        try {
            return round(k, client);
        } finally {
            ClusterPhases.shutdown(client);
        }
    }

    private Round round(int k, EventStoreDBClient client) throws Exception {
        AtomicLong deadAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong firstAck = new AtomicLong(Long.MAX_VALUE);
        var config = new BackgroundWriters.Config(
                options.failoverWriters, 1, ctx.eventSize(), "cluster-failover-" + k + "-", 0, true);
        String label =
                "cluster: failover " + k + " of " + options.failovers + ", " + options.failoverWriters + " writers";
        String killed;
        Elected elected;
        double firstAckSeconds;
        long failedCalls;
        try (BackgroundWriters writers = BackgroundWriters.start(client, config, (t0, t1) -> {
                    if (t0 >= deadAt.get()) {
                        firstAck.accumulateAndGet(t1, Math::min);
                    }
                });
                Progress p = Progress.start(ctx, label, "events", writers::appended, -1)) {
            awaitAppends(writers);
            Thread.sleep(LOAD_BEFORE_KILL);
            killed = cluster.awaitLeader(RECOVERY_WAIT);
            long killAt = System.nanoTime();
            cluster.kill(killed);
            deadAt.set(System.nanoTime());
            progress("failover " + k + ": SIGKILLed the leader " + killed);
            elected = awaitNewLeader(killed, killAt);
            firstAckSeconds = awaitFirstAck(firstAck).stream()
                    .mapToDouble(t -> (t - killAt) / 1e9)
                    .findFirst()
                    .orElse(Double.NaN);
            String ack = Double.isNaN(firstAckSeconds)
                    ? "no append acknowledged within " + Units.formatDuration(RECOVERY_WAIT)
                    : String.format(java.util.Locale.ROOT, "first append acknowledged after %.3f s", firstAckSeconds);
            progress(String.format(
                    java.util.Locale.ROOT,
                    "failover %d: %s leads %.3f s after the kill; %s",
                    k,
                    elected.id(),
                    elected.seconds(),
                    ack));
            if (Double.isNaN(firstAckSeconds)) {
                notes.add("failover " + k + ": no append was acknowledged within " + Units.formatDuration(RECOVERY_WAIT)
                        + " after " + killed + " was killed, though " + elected.id() + " led after "
                        + Figure.format(elected.seconds(), "s") + " (the client's own log on standard error says why)");
            } else {
                Thread.sleep(LOAD_AFTER_ACK);
            }
            failedCalls = writers.failedCalls();
        }
        double rejoinSeconds = restart(k, killed);
        return new Round(killed, elected.id(), elected.seconds(), firstAckSeconds, rejoinSeconds, failedCalls);
    }

    /** Restarts the killed node; returns the seconds from its listening until every head is equal. */
    private double restart(int k, String killed) throws Exception {
        cluster.start(killed, false);
        long listening = System.nanoTime();
        long head = cluster.awaitEqualHeads(REJOIN_WAIT);
        double seconds = (System.nanoTime() - listening) / 1e9;
        progress(String.format(
                java.util.Locale.ROOT,
                "failover %d: restarted %s; every node at position %,d %.3f s after it listened",
                k,
                killed,
                head,
                seconds));
        return seconds;
    }

    private record Elected(String id, double seconds) {}

    /** Waits until the writers have had an append acknowledged: the cluster takes writes. */
    private static void awaitAppends(BackgroundWriters writers) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_WAIT.toNanos();
        while (writers.appended() == 0) {
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailedException("the failover writers had no append acknowledged within "
                        + Units.formatDuration(RECOVERY_WAIT) + " before the kill");
            }
            Thread.sleep(POLL);
        }
    }

    private Elected awaitNewLeader(String killed, long killAt) throws InterruptedException {
        long deadline = killAt + RECOVERY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String id : cluster.runningIds()) {
                Optional<LocalCluster.NodeInfo> info = cluster.info(id);
                if (info.isPresent() && info.get().isLeader()) {
                    return new Elected(id, (System.nanoTime() - killAt) / 1e9);
                }
            }
            Thread.sleep(POLL);
        }
        throw new BenchmarkFailedException("no surviving node reported role leader within "
                + Units.formatDuration(RECOVERY_WAIT) + " of killing the leader " + killed);
    }

    /** The {@code nanoTime} of the first acknowledgement after the kill; empty if none in time. */
    private static OptionalLong awaitFirstAck(AtomicLong firstAck) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_WAIT.toNanos();
        while (firstAck.get() == Long.MAX_VALUE) {
            if (System.nanoTime() > deadline) {
                return OptionalLong.empty();
            }
            Thread.sleep(POLL);
        }
        return OptionalLong.of(firstAck.get());
    }

    private void progress(String line) {
        ctx.err().println("[cluster] " + line);
        ctx.err().flush();
    }
}
