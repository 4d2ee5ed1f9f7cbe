package io.factum.server.cluster;

import io.factum.server.it.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A cluster of real {@code factum server --cluster ...} processes on loopback ports, each with its
 * own data directory, that a test kills, stops and restarts.
 */
final class ClusterProcesses implements AutoCloseable {
    record Node(String id, int clientPort, int raftPort) {}

    private final Path root;
    private final List<Node> nodes;
    private final Map<String, ServerProcess> running = new LinkedHashMap<>();

    ClusterProcesses(Path root, int size) {
        this.root = root;
        List<Node> n = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            n.add(new Node("n" + i, freePort(), freePort()));
        }
        this.nodes = List.copyOf(n);
    }

    /**
     * A free port below 32768: the official Java client (db-client-java 5.4.5) parses the ports of
     * discovery seeds as a signed 16-bit number, so a seed on an ephemeral port (32768 and up on
     * Linux) fails with "Invalid port number format".
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
    }

    String spec() {
        return nodes.stream()
                .map(n -> n.id() + "=127.0.0.1:" + n.clientPort() + ":" + n.raftPort())
                .collect(Collectors.joining(","));
    }

    /** The discovery connection string of the official clients, every node a seed. */
    String discover(String scheme) {
        return scheme + "+discover://"
                + nodes.stream().map(n -> "127.0.0.1:" + n.clientPort()).collect(Collectors.joining(","))
                + "?tls=false&discoveryInterval=100&gossipTimeout=1000&maxDiscoverAttempts=50";
    }

    /** A connection string to one node only (no discovery). */
    String direct(String scheme, String id) {
        return scheme + "://127.0.0.1:" + node(id).clientPort() + "?tls=false";
    }

    Node node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    List<Node> nodes() {
        return nodes;
    }

    Path dir(String id) {
        return root.resolve(id);
    }

    ClusterProcesses startAll() throws Exception {
        // In parallel: a node waits for a majority before it elects, and JVMs start slowly.
        List<Thread> starting = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (Node n : nodes) {
            starting.add(Thread.ofVirtual().start(() -> {
                try {
                    start(n.id());
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }));
        }
        for (Thread t : starting) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return this;
    }

    ServerProcess start(String id) throws IOException, InterruptedException {
        Node n = node(id);
        ServerProcess p = ServerProcess.start(dir(id), n.clientPort(), "--node", id, "--cluster", spec());
        synchronized (running) {
            running.put(id, p);
        }
        return p;
    }

    ServerProcess process(String id) {
        synchronized (running) {
            return running.get(id);
        }
    }

    /** SIGKILL: no shutdown hook runs; what the cluster acknowledged must survive. */
    void kill(String id) throws InterruptedException {
        ServerProcess p;
        synchronized (running) {
            p = running.remove(id);
        }
        if (p != null) {
            p.kill();
        }
    }

    @Override
    public void close() throws Exception {
        List<ServerProcess> all;
        synchronized (running) {
            all = List.copyOf(running.values());
            running.clear();
        }
        for (ServerProcess p : all) {
            p.kill();
        }
    }
}
