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
    record Node(String id, String host, int clientPort, int raftPort) {}

    private final Path root;
    private final List<Node> nodes;
    private final java.util.Optional<NetworkNamespaces> namespaces;
    private final Map<String, ServerProcess> running = new LinkedHashMap<>();

    /** Nodes on loopback, each on its own free ports. */
    ClusterProcesses(Path root, int size) {
        this.root = root;
        this.namespaces = java.util.Optional.empty();
        List<Node> n = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            n.add(new Node("n" + i, "127.0.0.1", freePort(), freePort()));
        }
        this.nodes = List.copyOf(n);
    }

    /** Nodes in network namespaces the test created, one per node, on ports 2113 and 3113. */
    ClusterProcesses(Path root, NetworkNamespaces namespaces) {
        this.root = root;
        this.namespaces = java.util.Optional.of(namespaces);
        List<Node> n = new ArrayList<>();
        for (int i = 1; i <= namespaces.size(); i++) {
            n.add(new Node("n" + i, namespaces.address(i), 2113, 3113));
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
                .map(n -> n.id() + "=" + n.host() + ":" + n.clientPort() + ":" + n.raftPort())
                .collect(Collectors.joining(","));
    }

    /** Gives a client room to outlast an election on a loaded machine: 150 attempts × 200 ms. */
    private static final String PATIENT = "?tls=false&discoveryInterval=200&gossipTimeout=2000&maxDiscoverAttempts=150";

    /**
     * The cluster connection string of the official clients: every node a gossip seed, tried in
     * turn. (A {@code +discover} string names one DNS name: the Java clients use only its first
     * host, see {@link #discover}.) A client gives up for good after maxDiscoverAttempts.
     */
    String seeds(String scheme) {
        return scheme + "://"
                + nodes.stream().map(n -> n.host() + ":" + n.clientPort()).collect(Collectors.joining(","))
                + PATIENT;
    }

    /**
     * A discovery connection string with one seed, {@code id}: the client reads the members from
     * its gossip and connects to the leader, and needs that seed alive to find the next leader.
     */
    String discover(String scheme, String id) {
        return scheme + "+discover://" + node(id).host() + ":" + node(id).clientPort() + PATIENT;
    }

    /** A connection string to one node only (no discovery). */
    String direct(String scheme, String id) {
        // Not the default leader preference: the client would then require the leader on every call.
        return scheme + "://" + node(id).host() + ":" + node(id).clientPort() + "?tls=false&nodePreference=random";
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
        return launch(id, false);
    }

    private ServerProcess launch(String id, boolean join) throws IOException, InterruptedException {
        Node n = node(id);
        List<String> args = new ArrayList<>(List.of("--node", id, "--cluster", spec()));
        if (join) {
            args.add("--join");
        }
        if (namespaces.isPresent()) {
            // Not loopback: a development node on a private network the test made.
            args.addAll(List.of("--host", n.host(), "--insecure"));
        }
        int index = nodes.indexOf(n) + 1;
        ServerProcess p = ServerProcess.start(
                dir(id),
                n.clientPort(),
                Map.of(),
                command -> namespaces.map(ns -> ns.wrap(index, command)).orElse(command),
                args.toArray(String[]::new));
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

    /** Sends a signal (STOP, CONT) to a running node. */
    void signal(String id, String signal) throws IOException, InterruptedException {
        ServerProcess p = process(id);
        if (p == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
                .inheritIO()
                .start()
                .waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " exited with " + exit);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(2))
            .build();

    /** A node's /info, when it answers. */
    java.util.Optional<com.fasterxml.jackson.databind.JsonNode> info(String id) {
        return http("GET", id, "/info", null);
    }

    /** Calls a node's HTTP API; empty when it does not answer 2xx. */
    java.util.Optional<com.fasterxml.jackson.databind.JsonNode> http(
            String method, String id, String path, String body) {
        try {
            var r = HTTP.send(request(method, id, path, body), java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() / 100 == 2
                    ? java.util.Optional.of(JSON.readTree(r.body()))
                    : java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        }
    }

    /**
     * Sends an administrative HTTP call to node {@code id} and returns the JSON it answered; fails
     * the test with the status and the server's explanation when it answered anything but 2xx, or
     * with the error when it could not be reached.
     */
    com.fasterxml.jackson.databind.JsonNode admin(String method, String id, String path, String body)
            throws InterruptedException {
        String call = method + " " + path + " on " + id;
        try {
            // A connection of its own, so that a POST (which the client does not retry) never
            // lands on a pooled connection the server is closing.
            java.net.http.HttpResponse<String> r;
            try (var once = java.net.http.HttpClient.newHttpClient()) {
                r = once.send(request(method, id, path, body), java.net.http.HttpResponse.BodyHandlers.ofString());
            }
            if (r.statusCode() / 100 != 2) {
                throw new AssertionError(call + " answered " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(call + " failed: " + e, e);
        }
    }

    private java.net.http.HttpRequest request(String method, String id, String path, String body) {
        var request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://" + node(id).host() + ":" + node(id).clientPort() + path))
                .timeout(java.time.Duration.ofSeconds(60))
                .method(
                        method,
                        body == null
                                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                                : java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return request.build();
    }

    /** The node that reports role leader, among the running ones, within 60 s. */
    String awaitLeader() throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (String id : runningIds()) {
                var info = info(id);
                if (info.isPresent() && info.get().path("role").asText().equals("leader")) {
                    return id;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no node reported role leader within 60 s");
    }

    List<String> runningIds() {
        synchronized (running) {
            return List.copyOf(running.keySet());
        }
    }

    /** Starts a node as a new member (an empty configuration), waiting to be added. */
    ServerProcess startJoining(String id) throws IOException, InterruptedException {
        return launch(id, true);
    }

    /**
     * Starts a node whose data directory is a tmpfs of {@code bytes} in its own mount namespace
     * ({@link io.factum.testkit.SmallDisk}): its writes fail with the kernel's own "No space left
     * on device". The tmpfs, and the node's data with it, goes away when the process ends.
     */
    ServerProcess startOnSmallDisk(String id, long bytes) throws IOException, InterruptedException {
        Node n = node(id);
        Path mount = dir(id);
        java.nio.file.Files.createDirectories(mount);
        ServerProcess p = ServerProcess.start(
                mount.resolve("data"),
                n.clientPort(),
                Map.of(),
                command -> io.factum.testkit.SmallDisk.wrap(mount, bytes, command),
                "--node",
                id,
                "--cluster",
                spec());
        synchronized (running) {
            running.put(id, p);
        }
        return p;
    }

    /** Every node's output so far, for a failure message. */
    /** Each node's output, its last 20,000 characters (for a failure message). */
    String outputs() {
        return outputs(ClusterProcesses::tail);
    }

    private String outputs(java.util.function.UnaryOperator<String> cut) {
        StringBuilder out = new StringBuilder();
        synchronized (running) {
            running.forEach((id, p) ->
                    out.append("\n===== ").append(id).append(" =====\n").append(cut.apply(p.output())));
        }
        return out.toString();
    }

    private static String tail(String text) {
        return text.length() <= 20_000 ? text : "...\n" + text.substring(text.length() - 20_000);
    }

    @Override
    public void close() throws Exception {
        if (System.getenv("FACTUM_CLUSTER_LOGS") != null) {
            java.nio.file.Files.writeString(
                    Path.of(System.getenv("FACTUM_CLUSTER_LOGS")).resolve("cluster-" + System.nanoTime() + ".log"),
                    outputs(java.util.function.UnaryOperator.identity()));
        }
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
