package io.factum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Nodes of one cluster in this JVM, on loopback ports, each with its own data directory. */
final class LocalCluster implements AutoCloseable {
    private final Path root;
    private final List<ClusterMember> members;
    private final Map<String, ClusterNode> running = new LinkedHashMap<>();
    private final long snapshotEvery;

    LocalCluster(Path root, int size, long snapshotEvery) {
        this.root = root;
        this.snapshotEvery = snapshotEvery;
        List<ClusterMember> m = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            m.add(new ClusterMember("n" + i, "127.0.0.1", freePort(), freePort()));
        }
        this.members = List.copyOf(m);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<ClusterMember> members() {
        return members;
    }

    ClusterMember member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    ClusterOptions options(String id) {
        return ClusterOptions.defaults(id, members, dir(id))
                .withElectionTimeout(Duration.ofMillis(400), Duration.ofMillis(800))
                .withWriteTimeout(Duration.ofSeconds(5))
                .withSnapshotEveryEntries(snapshotEvery)
                .withRaftSegmentBytes(1 << 16);
    }

    LocalCluster startAll() throws IOException {
        for (ClusterMember m : members) {
            start(m.id());
        }
        return this;
    }

    ClusterNode start(String id) throws IOException {
        return start(options(id));
    }

    /** Starts a node that waits to be added to the running cluster. */
    ClusterNode startJoining(String id) throws IOException {
        return start(options(id).withJoin(true));
    }

    private ClusterNode start(ClusterOptions options) throws IOException {
        String id = options.nodeId();
        ClusterNode node = ClusterNode.start(options);
        running.put(id, node);
        return node;
    }

    void stop(String id) {
        ClusterNode node = running.remove(id);
        if (node != null) {
            node.close();
        }
    }

    ClusterNode node(String id) {
        return running.get(id);
    }

    List<ClusterNode> running() {
        return List.copyOf(running.values());
    }

    /** The node that leads, once every running node agrees on it. */
    ClusterNode awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ClusterNode n : running.values()) {
                if (n.isLeader()) {
                    return n;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader within 30 s among " + running.keySet());
    }

    ClusterNode follower() throws InterruptedException {
        ClusterNode leader = awaitLeader();
        return running.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
    }

    /** Waits until every running node's store holds as many records as the leader's. */
    void awaitConverged() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long head = awaitLeader().replica().store().headPosition();
            if (running.values().stream().allMatch(n -> n.replica().store().headPosition() == head)) {
                return;
            }
            Thread.sleep(20);
        }
        Map<String, Long> heads = new LinkedHashMap<>();
        running.forEach((id, n) -> heads.put(id, n.replica().store().headPosition()));
        throw new AssertionError("nodes did not converge within 30 s: " + heads);
    }

    /** Every running node's whole log, read from its own store. */
    Map<String, List<RecordedEvent>> logs() {
        Map<String, List<RecordedEvent>> out = new LinkedHashMap<>();
        running.forEach((id, n) -> out.put(id, readAll(n)));
        return out;
    }

    static List<RecordedEvent> readAll(ClusterNode node) {
        List<RecordedEvent> all = new ArrayList<>();
        long from = 0;
        while (true) {
            List<RecordedEvent> page = node.replica()
                    .store()
                    .readAll(ReadAllOptions.forwards(from, 1000))
                    .events();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            from = page.get(page.size() - 1).position() + 1;
        }
    }

    void assertIdenticalLogs() throws InterruptedException {
        awaitConverged();
        Map<String, List<RecordedEvent>> logs = logs();
        Optional<List<RecordedEvent>> first = logs.values().stream().findFirst();
        for (var e : logs.entrySet()) {
            assertThat(e.getValue()).as("log of " + e.getKey()).isEqualTo(first.orElseThrow());
        }
    }

    @Override
    public void close() {
        for (String id : List.copyOf(running.keySet())) {
            stop(id);
        }
    }
}
