package io.factum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.NotLeaderException;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real Ratis nodes in this JVM: replication, failover, restart and catch-up by copy. */
class ClusterNodeTest {
    @TempDir
    Path dir;

    private static EventData event(int i) {
        return EventData.json("happened", "{\"i\":" + i + "}");
    }

    @Test
    void anAppendOnTheLeaderReachesEveryNodeAtTheSamePosition() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20_000).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            AppendResult first =
                    leader.store().append("order-1", ExpectedVersion.noStream(), List.of(event(0), event(1)));
            assertThat(first.position()).isEqualTo(1);
            assertThatThrownBy(() -> leader.store().append("order-1", ExpectedVersion.noStream(), List.of(event(2))))
                    .isInstanceOf(WrongExpectedVersionException.class);
            cluster.assertIdenticalLogs();
            assertThat(cluster.follower()
                            .store()
                            .readStream("order-1", 0, Direction.FORWARDS, 10)
                            .events())
                    .hasSize(2);
        }
    }

    @Test
    void aFollowerRefusesWritesAndNamesTheLeader() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20_000).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            ClusterNode follower = cluster.follower();
            assertThat(follower.awaitLeader(java.time.Duration.ofSeconds(10))).isTrue();
            ClusterMember l = leader.options().self();
            assertThatThrownBy(() -> follower.store().append("s", ExpectedVersion.any(), List.of(event(0))))
                    .isInstanceOfSatisfying(NotLeaderException.class, e -> assertThat(e.leader())
                            .contains(new NotLeaderException.Endpoint(l.host(), l.clientPort())))
                    .hasMessageContaining("the leader is " + l.id());
        }
    }

    @Test
    void concurrentWritersAreBatchedAndEveryAcknowledgedAppendIsOnEveryNode() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20_000).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<AppendResult>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                results.add(pool.submit(
                        () -> leader.store().append("stream-" + (n % 20), ExpectedVersion.any(), List.of(event(n)))));
            }
            for (Future<AppendResult> r : results) {
                assertThat(r.get().written()).isTrue();
            }
            pool.shutdown();
            cluster.assertIdenticalLogs();
            assertThat(LocalCluster.readAll(leader)).hasSize(400);
        }
    }

    @Test
    void aRestartedFollowerCatchesUpFromTheRaftLog() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20_000).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            String followerId = cluster.follower().options().nodeId();
            leader.store().append("a", ExpectedVersion.any(), List.of(event(0)));
            cluster.stop(followerId);
            for (int i = 1; i < 50; i++) {
                leader.store().append("a", ExpectedVersion.any(), List.of(event(i)));
            }
            cluster.start(followerId);
            cluster.assertIdenticalLogs();
            assertThat(LocalCluster.readAll(cluster.node(followerId))).hasSize(50);
        }
    }

    @Test
    void afterTheLeaderStopsAnotherLeadsAndTheOldOneRejoins() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20_000).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            String oldLeader = leader.options().nodeId();
            leader.store().append("a", ExpectedVersion.noStream(), List.of(event(0)));
            cluster.stop(oldLeader);
            ClusterNode next = cluster.awaitLeader();
            assertThat(next.options().nodeId()).isNotEqualTo(oldLeader);
            next.store().append("a", ExpectedVersion.exactly(0), List.of(event(1)));
            cluster.start(oldLeader);
            cluster.assertIdenticalLogs();
            assertThat(cluster.node(oldLeader).status().elections()).isNotEmpty();
        }
    }

    @Test
    void aWipedFollowerIsReplacedAndCopiesTheStoreWhenTheLogWasPurged() throws Exception {
        try (LocalCluster cluster = new LocalCluster(dir, 3, 20).startAll()) {
            ClusterNode leader = cluster.awaitLeader();
            String followerId = cluster.follower().options().nodeId();
            cluster.stop(followerId);
            deleteRecursively(cluster.dir(followerId));
            for (int i = 0; i < 3000; i++) {
                leader.store().append("s-" + (i % 7), ExpectedVersion.any(), List.of(event(i)));
            }
            // A node that lost its data is a new member to Raft: out with the old, in with the new.
            leader.removeMember(followerId);
            cluster.startJoining(followerId);
            leader.addMember(cluster.member(followerId));
            cluster.assertIdenticalLogs();
            assertThat(LocalCluster.readAll(cluster.node(followerId))).hasSize(3000);
            leader.store().append("after", ExpectedVersion.noStream(), List.of(event(-1)));
            cluster.assertIdenticalLogs();
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!java.nio.file.Files.exists(path)) {
            return;
        }
        try (var walk = java.nio.file.Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
