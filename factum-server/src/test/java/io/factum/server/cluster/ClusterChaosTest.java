package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A randomised schedule of faults ({@code ./factum test --long}): for a few minutes, every few
 * seconds one of SIGKILL a node, SIGSTOP a node, cut a node off the network (when namespaces are
 * available), each healed after a random while, never more than one node down at once so that
 * writes keep flowing. Then everything heals and {@link ClusterVerdict#check} runs on the whole
 * history. The seed is printed so that a failing schedule can be replayed
 * ({@code -Dfactum.chaos.seed=...}).
 */
@Tag("long")
class ClusterChaosTest {
    @TempDir
    Path dir;

    private enum Fault {
        KILL,
        STOP,
        CUT
    }

    @Test
    void aRandomScheduleOfFaultsLosesNothingAndStaysLinearizable() throws Exception {
        long seed = Long.getLong("factum.chaos.seed", System.nanoTime());
        Duration length = Duration.ofSeconds(Long.getLong("factum.chaos.seconds", 180));
        System.out.println("chaos seed " + seed + ", " + length);
        Random random = new Random(seed);
        boolean namespaces = namespacesAvailable();
        try (NetworkNamespaces net = namespaces ? NetworkNamespaces.create(3) : null;
                ClusterProcesses cluster =
                        (namespaces ? new ClusterProcesses(dir, net) : new ClusterProcesses(dir, 3)).startAll()) {
            cluster.awaitLeader();
            Workload workload = new Workload(cluster.seeds("esdb"), 6, 4, seed);
            List<String> schedule = new ArrayList<>();
            try {
                long end = System.nanoTime() + length.toNanos();
                while (System.nanoTime() < end) {
                    Thread.sleep(1_000 + random.nextInt(4_000));
                    Fault fault = Fault.values()[random.nextInt(namespaces ? 3 : 2)];
                    String victim = random.nextBoolean()
                            ? cluster.awaitLeader()
                            : cluster.runningIds()
                                    .get(random.nextInt(cluster.runningIds().size()));
                    long held = 500 + random.nextInt(5_000);
                    schedule.add(fault + " " + victim + " for " + held + " ms");
                    switch (fault) {
                        case KILL -> {
                            cluster.kill(victim);
                            Thread.sleep(held);
                            cluster.start(victim);
                        }
                        case STOP -> {
                            cluster.signal(victim, "STOP");
                            Thread.sleep(held);
                            cluster.signal(victim, "CONT");
                        }
                        case CUT -> {
                            net.isolate(Integer.parseInt(victim.substring(1)));
                            Thread.sleep(held);
                            net.heal();
                        }
                    }
                }
                assertThat(workload.awaitAcknowledged(100, Duration.ofSeconds(90)))
                        .as("writes flow once the faults heal; schedule: " + schedule)
                        .isTrue();
            } finally {
                workload.close();
            }
            System.out.println("chaos schedule: " + schedule);
            workload.finalReads(cluster.seeds("esdb"));
            ClusterVerdict.check(
                    ClusterVerdict.sameLogEverywhere(cluster, cluster.runningIds(), Duration.ofSeconds(120)), workload);
        }
    }

    private static boolean namespacesAvailable() {
        try {
            NetworkNamespaces.requireAvailable();
            return true;
        } catch (org.opentest4j.TestAbortedException e) {
            return false;
        }
    }
}
