package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.testkit.SmallDisk;
import io.factum.testkit.linearizability.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults against three {@code factum server --cluster} processes under a concurrent workload of the
 * official client in discovery mode. After each fault heals, {@link ClusterVerdict#check}: every
 * node holds the same log, nothing acknowledged is lost or stored twice, versions are dense, and
 * the history is linearizable.
 */
class ClusterFaultTest {
    private static final Duration HEAL = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private static Workload workload(ClusterProcesses cluster, long seed) {
        return new Workload(cluster.seeds("esdb"), 6, 4, seed);
    }

    private static String aFollower(ClusterProcesses cluster, String leader) {
        return cluster.runningIds().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
    }

    private static void verify(ClusterProcesses cluster, Workload workload) throws Exception {
        workload.finalReads(cluster.seeds("esdb"));
        List<ClusterVerdict.Line> log = ClusterVerdict.sameLogEverywhere(cluster, cluster.runningIds(), HEAL);
        ClusterVerdict.check(log, workload);
    }

    @Test
    void sigkillTheLeaderUnderLoadAndRestartIt() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            Workload workload = workload(cluster, 1);
            try {
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
                cluster.kill(leader);
                assertThat(workload.awaitAcknowledged(100, HEAL))
                        .as("writes resume on the new leader")
                        .isTrue();
                cluster.start(leader);
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
            } finally {
                workload.close();
            }
            verify(cluster, workload);
        }
    }

    @Test
    void sigstopAFollowerAndResumeIt() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            String follower = aFollower(cluster, leader);
            Workload workload = workload(cluster, 2);
            try {
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
                cluster.signal(follower, "STOP");
                assertThat(workload.awaitAcknowledged(200, HEAL))
                        .as("two of three still make a majority")
                        .isTrue();
                cluster.signal(follower, "CONT");
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
            } finally {
                workload.close();
            }
            verify(cluster, workload);
        }
    }

    @Test
    void withTwoNodesDownNothingIsAcknowledgedUntilOneReturns() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            String follower = aFollower(cluster, leader);
            String survivor = cluster.runningIds().stream()
                    .filter(id -> !id.equals(leader) && !id.equals(follower))
                    .findFirst()
                    .orElseThrow();
            Workload workload = workload(cluster, 3);
            long minorityFrom;
            long minorityUntil;
            try {
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
                cluster.kill(follower);
                cluster.kill(leader);
                minorityFrom = System.nanoTime();
                Thread.sleep(6_000);
                assertThat(cluster.info(survivor).orElseThrow().path("role").asText())
                        .as("a lone node cannot lead")
                        .isNotEqualTo("leader");
                minorityUntil = System.nanoTime();
                cluster.start(follower);
                assertThat(workload.awaitAcknowledged(100, HEAL))
                        .as("writes resume once a majority is back")
                        .isTrue();
                cluster.start(leader);
            } finally {
                workload.close();
            }
            List<Operation> acknowledgedInMinority = workload.history().stream()
                    .filter(op -> op.output() instanceof Operation.Output.AppendOk)
                    .filter(op -> op.callNanos() > minorityFrom && op.returnNanos() < minorityUntil)
                    .toList();
            assertThat(acknowledgedInMinority)
                    .as("no append called and answered while one node of three was up was acknowledged")
                    .isEmpty();
            verify(cluster, workload);
        }
    }

    @Test
    void aWipedFollowerIsReplacedAndCopiesTheStore() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            String follower = aFollower(cluster, leader);
            Workload workload = workload(cluster, 4);
            try {
                assertThat(workload.awaitAcknowledged(200, HEAL)).isTrue();
                cluster.kill(follower);
                deleteRecursively(cluster.dir(follower));
                assertThat(workload.awaitAcknowledged(200, HEAL)).isTrue();
                // The leader removes the dead member, and adds it back as a new one.
                cluster.admin("DELETE", leader, "/cluster/members/" + follower, null);
                cluster.startJoining(follower);
                ClusterProcesses.Node n = cluster.node(follower);
                String member =
                        "{\"member\":\"" + follower + "=127.0.0.1:" + n.clientPort() + ":" + n.raftPort() + "\"}";
                cluster.admin("POST", cluster.awaitLeader(), "/cluster/members", member);
                assertThat(workload.awaitAcknowledged(200, HEAL)).isTrue();
            } finally {
                workload.close();
            }
            verify(cluster, workload);
        }
    }

    @Test
    void aLeaderCutOffFromTheOthersAcknowledgesNothingAndTheClusterHeals() throws Exception {
        NetworkNamespaces.requireAvailable();
        try (NetworkNamespaces net = NetworkNamespaces.create(3);
                ClusterProcesses cluster = new ClusterProcesses(dir, net).startAll()) {
            String leader = cluster.awaitLeader();
            Workload workload = workload(cluster, 5);
            try {
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
                // The old leader keeps its clients but loses its majority: whatever it is asked, the
                // history must stay linearizable, which it would not if it acknowledged anything.
                net.isolate(Integer.parseInt(leader.substring(1)));
                assertThat(workload.awaitAcknowledged(100, HEAL))
                        .as("the two connected nodes elect a leader and take writes")
                        .isTrue();
                net.heal();
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
            } finally {
                workload.close();
            }
            verify(cluster, workload);
        }
    }

    @Test
    void aFollowerWhoseDiskFillsUpStopsWhileTheOthersCarryOn() throws Exception {
        SmallDisk.requireAvailable();
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3)) {
            // Two of three are a majority: n3, the one on a small disk, joins a running cluster and
            // so never leads.
            cluster.start("n1");
            cluster.start("n2");
            String leader = cluster.awaitLeader();
            cluster.startOnSmallDisk("n3", 48L << 20);
            Workload workload = workload(cluster, 6);
            try {
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
                fill(cluster.seeds("esdb"), 96L << 20);
                assertThat(awaitDown(cluster, "n3", HEAL))
                        .as("n3 stops applying once its disk is full")
                        .isTrue();
                assertThat(workload.awaitAcknowledged(100, HEAL))
                        .as("the other two still make a majority")
                        .isTrue();
                // A node whose disk failed is replaced: its data is gone with its tmpfs.
                cluster.kill("n3");
                cluster.admin("DELETE", cluster.awaitLeader(), "/cluster/members/n3", null);
                deleteRecursively(cluster.dir("n3"));
                cluster.startJoining("n3");
                ClusterProcesses.Node n = cluster.node("n3");
                String member = "{\"member\":\"n3=127.0.0.1:" + n.clientPort() + ":" + n.raftPort() + "\"}";
                cluster.admin("POST", cluster.awaitLeader(), "/cluster/members", member);
                assertThat(workload.awaitAcknowledged(100, HEAL)).isTrue();
            } finally {
                workload.close();
            }
            assertThat(leader).isIn("n1", "n2");
            verify(cluster, workload);
        }
    }

    /** Appends {@code bytes} of 64 KiB events to a stream of their own. */
    private static void fill(String connectionString, long bytes) throws Exception {
        var client = com.eventstore.dbclient.EventStoreDBClient.create(
                com.eventstore.dbclient.EventStoreDBConnectionString.parseOrThrow(connectionString));
        try {
            byte[] payload = new byte[64 << 10];
            java.util.Arrays.fill(payload, (byte) 'x');
            for (long written = 0; written < bytes; written += 8L * payload.length) {
                List<com.eventstore.dbclient.EventData> batch = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    batch.add(com.eventstore.dbclient.EventData.builderAsBinary("Filler", payload)
                            .build());
                }
                client.appendToStream("filler", batch.iterator()).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            client.shutdown().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Waits until the node says it is down or read-only (or has exited). */
    private static boolean awaitDown(ClusterProcesses cluster, String id, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var info = cluster.info(id);
            if (!cluster.process(id).isAlive()
                    || info.map(i -> i.path("role").asText().equals("down")
                                    || i.path("state").asText().equals("read-only"))
                            .orElse(false)) {
                return true;
            }
            Thread.sleep(200);
        }
        return false;
    }

    static void deleteRecursively(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
