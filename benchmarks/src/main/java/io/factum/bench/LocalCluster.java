package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of {@code factum server --node ID --cluster ...} child JVMs on loopback, each on its
 * own data directory under {@code root} (inside the run directory), for {@code bench cluster}. It
 * starts, kills, restarts and replaces nodes, and talks to their HTTP API ({@code /info}, {@code
 * /cluster/members}).
 *
 * <p>Every process it started is stopped by {@link #close}, and by its {@link ServerChild}'s
 * shutdown hook if the benchmark is interrupted: no node outlives the run.
 *
 * <p>Not thread-safe: the scenario thread starts and stops nodes. {@link #info} and {@link #cpuTimes}
 * may be called from any thread.
 */
final class LocalCluster implements AutoCloseable {

    /** One member: its id and its two loopback ports. */
    record Member(String id, int clientPort, int raftPort) {
        String spec() {
            return id + "=127.0.0.1:" + clientPort + ":" + raftPort;
        }
    }

    /**
     * What a node's {@code GET /info} says.
     *
     * @param role leader, follower, candidate, joining or down
     * @param headPosition the position of the node's newest event, -1 when its store is empty
     * @param leader the leader this node knows of, if any
     * @param members the ids of the members in this node's configuration
     */
    record NodeInfo(String role, long headPosition, Optional<String> leader, List<String> members) {
        boolean isLeader() {
            return role.equals("leader");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern RAFT_SEGMENT = Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?");

    private final Path root;
    private final List<String> jvmOptions;
    private final List<Member> members;
    private final Map<String, ServerChild> running = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalCluster(Path root, List<String> jvmOptions, List<Member> members) {
        this.root = root;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.members = List.copyOf(members);
    }

    /** A cluster of {@code size} nodes n1..nN on free ports; nothing is started yet. */
    static LocalCluster create(Path root, int size, List<String> jvmOptions) {
        List<Member> members = new ArrayList<>();
        List<Integer> taken = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            members.add(new Member("n" + i, freePort(taken), freePort(taken)));
        }
        return new LocalCluster(root, jvmOptions, members);
    }

    /**
     * A free loopback port between 20000 and 32000. The official Java client (db-client-java
     * 5.4.5) parses the ports of discovery seeds as a signed 16-bit number, so a seed on an
     * ephemeral port (32768 and up on Linux) fails with "Invalid port number format".
     */
    private static int freePort(List<Integer> taken) {
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
        throw new BenchmarkFailedException("no free loopback port between 20000 and 32000");
    }

    List<Member> members() {
        return members;
    }

    List<String> ids() {
        return members.stream().map(Member::id).toList();
    }

    /**
     * The official clients' cluster string, every node a gossip seed (without {@code +discover},
     * which to the Java clients means one DNS name: they would use the first host only). The client
     * gives up for good after maxDiscoverAttempts, so attempts times the interval (150 x 200 ms =
     * 30 s) must outlast an election on a loaded machine.
     */
    String clientUrl() {
        return "esdb://"
                + members.stream().map(m -> "127.0.0.1:" + m.clientPort()).collect(Collectors.joining(","))
                + "?tls=false&discoveryInterval=200&gossipTimeout=2000&maxDiscoverAttempts=150";
    }

    /** A new official client with {@link #clientUrl}; the caller shuts it down. */
    EventStoreDBClient newClient() {
        return EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(clientUrl()));
    }

    Path dataDir(String id) {
        return root.resolve(id);
    }

    /** Starts every node at once (a node waits for a majority before it elects; JVMs start slowly). */
    void startAll() throws Exception {
        List<Thread> starting = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (Member m : members) {
            starting.add(Thread.ofVirtual().name("bench-start-" + m.id()).start(() -> {
                try {
                    start(m.id(), false);
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
    }

    /**
     * Starts a node on its data directory and returns once it listens.
     *
     * @param join start as a new member that waits to be added ({@link #addMember})
     */
    ServerChild start(String id, boolean join) throws IOException, InterruptedException {
        Path dir = dataDir(id);
        Files.createDirectories(dir);
        int n;
        synchronized (starts) {
            n = starts.merge(id, 1, Integer::sum);
        }
        Path log = root.resolve(id + (n == 1 ? "" : "-start" + n) + ".log");
        List<String> args = new ArrayList<>(List.of("--node", id, "--cluster", spec()));
        if (join) {
            args.add("--join");
        }
        ServerChild child = ServerChild.start(dir, jvmOptions, log, args);
        synchronized (running) {
            running.put(id, child);
        }
        return child;
    }

    private String spec() {
        return members.stream().map(Member::spec).collect(Collectors.joining(","));
    }

    Optional<ServerChild> process(String id) {
        synchronized (running) {
            return Optional.ofNullable(running.get(id));
        }
    }

    /** The running nodes' processes, for their CPU times. */
    List<ServerChild> processes() {
        synchronized (running) {
            return List.copyOf(running.values());
        }
    }

    List<String> runningIds() {
        synchronized (running) {
            return List.copyOf(running.keySet());
        }
    }

    /** SIGKILL: a crash. Returns once the process is gone. */
    void kill(String id) throws InterruptedException {
        Optional<ServerChild> p = remove(id);
        if (p.isPresent()) {
            p.get().kill();
        }
    }

    /** SIGTERM: a clean stop. Returns once the process is gone. */
    void stop(String id) throws InterruptedException {
        Optional<ServerChild> p = remove(id);
        if (p.isPresent()) {
            p.get().terminate();
            p.get().awaitExit(STOP_TIMEOUT);
        }
    }

    private Optional<ServerChild> remove(String id) {
        synchronized (running) {
            return Optional.ofNullable(running.remove(id));
        }
    }

    /** A node's {@code /info}, or empty when it does not answer (down, or too busy for 5 s). */
    Optional<NodeInfo> info(String id) {
        try {
            HttpResponse<String> r = send(id, "GET", "/info", Optional.empty(), Duration.ofSeconds(5));
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode body = JSON.readTree(r.body());
            JsonNode leader = body.path("cluster").path("leader");
            List<String> ids = new ArrayList<>();
            body.path("cluster")
                    .path("members")
                    .forEach(m -> ids.add(m.path("id").asText()));
            return Optional.of(new NodeInfo(
                    body.path("role").asText("unknown"),
                    body.path("headPosition").asLong(Long.MIN_VALUE),
                    leader.isTextual() ? Optional.of(leader.asText()) : Optional.empty(),
                    List.copyOf(ids)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The running node that reports role leader, when one does. */
    Optional<String> leader() {
        for (String id : runningIds()) {
            Optional<NodeInfo> info = info(id);
            if (info.isPresent() && info.get().isLeader()) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** Waits until a running node reports role leader. */
    String awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> leader = leader();
            if (leader.isPresent()) {
                return leader.get();
            }
            Thread.sleep(50);
        }
        throw new BenchmarkFailedException("no node reported role leader within " + Units.formatDuration(timeout)
                + "; the nodes' output is in " + root);
    }

    /**
     * Waits until every running node answers with the same head position and one of them leads;
     * returns that position. Call it while nothing writes, or it may never hold.
     */
    long awaitEqualHeads(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            Map<String, String> seen = new LinkedHashMap<>();
            List<NodeInfo> infos = new ArrayList<>();
            for (String id : runningIds()) {
                Optional<NodeInfo> info = info(id);
                seen.put(id, info.map(i -> i.role() + " at " + i.headPosition()).orElse("no answer"));
                info.ifPresent(infos::add);
            }
            last = seen;
            boolean allAnswer = infos.size() == seen.size() && !infos.isEmpty();
            if (allAnswer
                    && infos.stream().anyMatch(NodeInfo::isLeader)
                    && infos.stream()
                                    .mapToLong(NodeInfo::headPosition)
                                    .distinct()
                                    .count()
                            == 1) {
                return infos.get(0).headPosition();
            }
            Thread.sleep(100);
        }
        throw new BenchmarkFailedException("the nodes' head positions did not become equal within "
                + Units.formatDuration(timeout) + ": " + last + "; the nodes' output is in " + root);
    }

    /**
     * {@code POST /cluster/members}: adds a member; returns when the change is committed, which
     * for a new member is once it has caught up.
     *
     * @throws IOException also when the node closed the connection without an answer: the change
     *     may still go through
     */
    void addMember(String id, Duration timeout) throws IOException, InterruptedException {
        Member m = member(id);
        String body = "{\"member\":\"" + m.spec() + "\"}";
        change(id, "POST", "/cluster/members", Optional.of(body), timeout);
    }

    /** {@code DELETE /cluster/members/ID}, sent to another running node. */
    void removeMember(String id, Duration timeout) throws IOException, InterruptedException {
        change(id, "DELETE", "/cluster/members/" + id, Optional.empty(), timeout);
    }

    private void change(String id, String method, String path, Optional<String> body, Duration timeout)
            throws IOException, InterruptedException {
        String via = runningIds().stream()
                .filter(other -> !other.equals(id))
                .findFirst()
                .orElseThrow(() -> new BenchmarkFailedException("no other node runs to take " + method + " " + path));
        // A client of its own, so a connection of its own: a pooled connection the server is
        // closing as idle would fail the call, and a POST is not retried.
        HttpResponse<String> r;
        try (HttpClient fresh =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            r = send(fresh, via, method, path, body, timeout);
        }
        if (r.statusCode() / 100 != 2) {
            throw new BenchmarkFailedException(
                    method + " " + path + " on " + via + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private HttpResponse<String> send(String id, String method, String path, Optional<String> body, Duration timeout)
            throws IOException, InterruptedException {
        return send(http, id, method, path, body, timeout);
    }

    private HttpResponse<String> send(
            HttpClient client, String id, String method, String path, Optional<String> body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + member(id).clientPort() + path))
                .timeout(timeout)
                .method(
                        method,
                        body.map(HttpRequest.BodyPublishers::ofString).orElse(HttpRequest.BodyPublishers.noBody()));
        body.ifPresent(b -> request.header("Content-Type", "application/json"));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Member member(String id) {
        return members.stream()
                .filter(m -> m.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member " + id));
    }

    /**
     * The first index of a node's Raft log, from the names of its segment files ({@code
     * log_FIRST-LAST}, {@code log_inprogress_FIRST}); above 0 once Ratis purged the log's start
     * after a snapshot. Empty when the node has no segment yet.
     */
    OptionalLong raftLogStart(String id) throws IOException {
        Path raft = dataDir(id).resolve("raft");
        if (!Files.isDirectory(raft)) {
            return OptionalLong.empty();
        }
        try (Stream<Path> files = Files.walk(raft, 3)) {
            return files.map(f -> RAFT_SEGMENT.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .min();
        }
    }

    /** Whether a node's output so far contains {@code text} (each start's log file is searched). */
    boolean logContains(String id, String text) throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(id))
                    .filter(f -> f.getFileName().toString().endsWith(".log"))
                    .toList()) {
                if (Files.readString(f).contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** SIGTERM to every node at once, then a bounded wait for each (SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        List<ServerChild> all;
        synchronized (running) {
            all = List.copyOf(running.values());
            running.clear();
        }
        all.forEach(ServerChild::terminate);
        for (ServerChild p : all) {
            p.awaitExit(STOP_TIMEOUT);
        }
    }
}
