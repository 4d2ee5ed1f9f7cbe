package io.factum.client;

import io.factum.cluster.ClusterMember;
import io.factum.cluster.ClusterNode;
import io.factum.cluster.ClusterOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Three cluster nodes in this JVM, each served by a {@link FactumServer} on loopback, each with its
 * own data directory. Stopping a node closes its server first, then the node, as a real shutdown
 * does; {@link #close} stops whatever still runs.
 */
final class ServedCluster implements AutoCloseable {

    /** One running node and the server in front of it. */
    record Running(ClusterMember member, ClusterNode node, FactumServer server) {}

    private final List<ClusterMember> members;
    private final Map<String, Running> running = new LinkedHashMap<>();

    private ServedCluster(List<ClusterMember> members) {
        this.members = members;
    }

    /** Starts three nodes and their servers; elections begin once a majority is up. */
    static ServedCluster start(Path dir) throws IOException {
        Set<Integer> taken = new HashSet<>();
        List<ClusterMember> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(new ClusterMember("n" + i, "127.0.0.1", freePort(taken), freePort(taken)));
        }
        ServedCluster cluster = new ServedCluster(List.copyOf(members));
        try {
            for (ClusterMember m : members) {
                ClusterOptions options = ClusterOptions.defaults(m.id(), members, dir.resolve(m.id()))
                        .withElectionTimeout(Duration.ofMillis(400), Duration.ofMillis(800))
                        .withWriteTimeout(Duration.ofSeconds(5));
                ClusterNode node = ClusterNode.start(options);
                FactumServer server;
                try {
                    server = FactumServer.start(node.store(), ServerOptions.localDevelopment(m.clientPort()));
                } catch (IOException | RuntimeException e) {
                    node.close();
                    throw e;
                }
                cluster.running.put(m.id(), new Running(m, node, server));
            }
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * A free loopback port below 32768, the official Java client's limit for gossip ports (it reads
     * them as a signed 16-bit number); this client has no such limit, but the cluster tests of both
     * clients use the same range.
     */
    static int freePort(Set<Integer> taken) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            if (taken.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                taken.add(port);
                return s.getLocalPort();
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
    }

    /** The node that leads, once it is ready and its followers know it (at most 30 s). */
    Running awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Running> leader =
                    running.values().stream().filter(r -> r.node().isLeader()).findFirst();
            if (leader.isPresent() && followersKnow(leader.get())) {
                return leader.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader within 30 s among " + running.keySet());
    }

    private boolean followersKnow(Running leader) {
        return running.values().stream().allMatch(r -> r.node()
                .leader()
                .map(ClusterMember::id)
                .equals(Optional.of(leader.member().id())));
    }

    /**
     * Waits until every running node has applied all that the leader committed, so that any of
     * them can take over: a node still copying the leader's store would not help elect a new one.
     */
    void awaitReplicated() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            long committed = awaitLeader().node().status().commitIndex();
            if (committed >= 0
                    && running.values().stream().allMatch(r -> r.node().status().appliedIndex() >= committed)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the nodes did not apply the leader's log within 30 s");
    }

    /** A running node that does not lead. */
    Running follower() throws InterruptedException {
        Running leader = awaitLeader();
        return running.values().stream().filter(r -> r != leader).findFirst().orElseThrow();
    }

    /** Stops a node as a shutdown does: its server, then the node. */
    void stop(String id) {
        Running r = running.remove(id);
        if (r != null) {
            r.server().close();
            r.node().close();
        }
    }

    static ClientOptions.Endpoint endpoint(ClusterMember member) {
        return new ClientOptions.Endpoint(member.host(), member.clientPort());
    }

    /** A plaintext URL naming only this node. */
    String url(String id, int deadlineMs) {
        return "factum://" + endpoint(member(id)) + "?tls=false&defaultDeadline=" + deadlineMs;
    }

    /** A plaintext URL naming every node as a seed, in member order. */
    String seedsUrl(String scheme, int deadlineMs) {
        return scheme + "://"
                + members.stream().map(m -> endpoint(m).toString()).collect(Collectors.joining(","))
                + "?tls=false&defaultDeadline=" + deadlineMs;
    }

    ClusterMember member(String id) {
        return members.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        for (String id : List.copyOf(running.keySet())) {
            stop(id);
        }
    }
}
