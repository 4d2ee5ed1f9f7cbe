package io.factum.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.InvalidInputException;
import io.factum.cluster.ClusterMember;
import io.factum.engine.FailureReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code factum cluster}: a local cluster in one command ({@code up}), and the membership of a
 * running one ({@code status}, {@code add}, {@code remove}) through any node's HTTP API.
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Run a local cluster, or look at and change the members of a running one.",
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Status.class,
            ClusterCommand.Add.class,
            ClusterCommand.Remove.class
        })
public final class ClusterCommand implements Callable<Integer> {
    static final int EXIT_FAILED = 1;
    static final int EXIT_REFUSED = 2;

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return EXIT_REFUSED;
    }

    /** Entry point of {@code ./factum cluster ...}. */
    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new ClusterCommand());
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            err.println("factum: " + FailureReport.oneLine(e.getMessage()) + " (see 'factum cluster --help')");
            return EXIT_REFUSED;
        });
        commandLine.setExecutionExceptionHandler((failure, ignored, parseResult) -> {
            FailureReport.print(failure, FailureReport.expectedMessage(failure), false, err);
            return EXIT_FAILED;
        });
        System.exit(commandLine.execute(args));
    }

    /** {@code factum cluster up}: N server processes on this machine, stopped together by Ctrl-C. */
    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = "Start a local cluster: one server process per node, on 127.0.0.1, until Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @Option(
                names = "--nodes",
                defaultValue = "3",
                description = "Number of nodes, 1 to 9 (default: ${DEFAULT-VALUE}).")
        int nodes = 3;

        @Option(
                names = {"-d", "--data"},
                defaultValue = "factum-cluster",
                description = "Directory holding one data directory per node, n1, n2... (default: ${DEFAULT-VALUE}).")
        Path data = Path.of("factum-cluster");

        @Option(
                names = "--port",
                defaultValue = "2113",
                description = "Client port of n1; n2 takes the next one, and so on (default: ${DEFAULT-VALUE}).")
        int port = 2113;

        @Option(
                names = "--raft-port",
                defaultValue = "3113",
                description = "Replication port of n1; n2 takes the next one, and so on (default: ${DEFAULT-VALUE}).")
        int raftPort = 3113;

        private final List<Process> children = new ArrayList<>();
        private final CountDownLatch stopped = new CountDownLatch(1);

        @Override
        public Integer call() throws Exception {
            if (nodes < 1 || nodes > 9) {
                System.err.println("factum: refusing to start: --nodes " + nodes + " must be 1 to 9");
                return EXIT_REFUSED;
            }
            List<ClusterMember> members = new ArrayList<>();
            try {
                for (int i = 0; i < nodes; i++) {
                    members.add(new ClusterMember("n" + (i + 1), "127.0.0.1", port + i, raftPort + i));
                }
            } catch (InvalidInputException e) {
                System.err.println("factum: refusing to start: " + e.getMessage());
                return EXIT_REFUSED;
            }
            String spec = members.stream().map(ClusterMember::toString).collect(Collectors.joining(","));
            CountDownLatch listening = new CountDownLatch(nodes);
            Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "factum-cluster-stop"));
            for (ClusterMember m : members) {
                Process p = startNode(m, spec);
                children.add(p);
                Thread.ofPlatform().daemon().start(() -> relay(m.id(), p, listening));
            }
            if (!listening.await(120, TimeUnit.SECONDS)) {
                System.err.println("factum: not every node started within 120 s; see the output above");
                stopAll();
                return EXIT_FAILED;
            }
            String seeds =
                    members.stream().map(m -> m.host() + ":" + m.clientPort()).collect(Collectors.joining(","));
            System.out.println();
            System.out.println("factum: a cluster of " + nodes + " is up (data in "
                    + data.toAbsolutePath().normalize() + ")");
            // Every node a gossip seed; see docs/cluster.md on +discover strings.
            System.out.println("  clients:    kurrentdb://" + seeds + "?tls=false");
            System.out.println("              esdb://" + seeds + "?tls=false");
            System.out.println("  status:     ./factum cluster status --url http://" + seeds.split(",")[0]);
            for (int i = 0; i < nodes; i++) {
                System.out.println("  " + members.get(i).id() + ":         pid "
                        + children.get(i).pid() + ", http://" + members.get(i).host() + ":"
                        + members.get(i).clientPort());
            }
            System.out.println("  stop with Ctrl-C (kill -9 one pid to watch a failover; ./factum server --data "
                    + data.resolve("n1") + " --node n1 --cluster " + spec + " restarts it)");
            System.out.flush();
            for (Process p : children) {
                p.waitFor();
            }
            stopped.await(30, TimeUnit.SECONDS);
            return 0;
        }

        private Process startNode(ClusterMember m, String spec) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!option.contains("jdwp") && !option.contains("FlightRecording")) {
                    command.add(option);
                }
            }
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    ServerCommand.class.getName(),
                    "--data",
                    data.resolve(m.id()).toString(),
                    "--node",
                    m.id(),
                    "--cluster",
                    spec));
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        }

        /** Prints the node's output with its id in front, and counts it as started once it listens. */
        private static void relay(String id, Process p, CountDownLatch listening) {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("factum: listening on")) {
                        listening.countDown();
                    }
                    System.out.println("[" + id + "] " + line);
                }
            } catch (IOException e) {
                // The pipe closes under the reader when the node exits: nothing was lost then.
                if (p.isAlive()) {
                    System.out.println("[" + id + "] (output lost: " + e.getMessage() + ")");
                }
            }
        }

        private void stopAll() {
            for (Process p : children) {
                p.destroy(); // SIGTERM: each node stops cleanly
            }
            for (Process p : children) {
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                }
            }
            stopped.countDown();
        }
    }

    /** What the subcommands that talk to a running node share. */
    abstract static class Remote implements Callable<Integer> {
        @Option(
                names = "--url",
                defaultValue = "http://127.0.0.1:2113",
                description = "Any node of the cluster (default: ${DEFAULT-VALUE}).")
        String url = "http://127.0.0.1:2113";

        @Option(
                names = {"-u", "--user"},
                paramLabel = "USER:PASSWORD",
                description = "Credentials, when the cluster requires them.")
        Optional<String> user = Optional.empty();

        private static final ObjectMapper JSON = new ObjectMapper();

        JsonNode send(String method, String path, Optional<String> body, PrintStream err)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
                    .timeout(Duration.ofSeconds(90))
                    .method(
                            method,
                            body.map(b -> HttpRequest.BodyPublishers.ofString(b, StandardCharsets.UTF_8))
                                    .orElse(HttpRequest.BodyPublishers.noBody()));
            body.ifPresent(b -> request.header("Content-Type", "application/json"));
            user.ifPresent(u -> request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(u.getBytes(StandardCharsets.UTF_8))));
            HttpResponse<String> response;
            try (HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build()) {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IOException("cannot reach " + url + " (" + e.getMessage() + "); is the node running?", e);
            }
            JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() >= 300) {
                err.println("factum: " + url + " answered " + response.statusCode() + ": "
                        + json.path("message").asText(response.body()));
                return null;
            }
            return json;
        }

        static void printStatus(JsonNode cluster, PrintStream out) {
            out.printf(
                    "term %d, leader %s, commit index %d, this node (%s) applied %d%n",
                    cluster.path("term").asLong(),
                    cluster.path("leader").asText("(none)"),
                    cluster.path("commitIndex").asLong(),
                    cluster.path("node").asText(),
                    cluster.path("appliedIndex").asLong());
            out.printf("%-6s %-22s %-8s %-10s %-6s %s%n", "NODE", "CLIENT", "RAFT", "ROLE", "ALIVE", "LAG");
            for (JsonNode m : cluster.path("members")) {
                out.printf(
                        "%-6s %-22s %-8d %-10s %-6s %s%n",
                        m.path("id").asText(),
                        m.path("host").asText() + ":" + m.path("clientPort").asInt(),
                        m.path("raftPort").asInt(),
                        m.path("role").asText(),
                        m.path("alive").asBoolean() ? "yes" : "no",
                        m.has("lagEntries") ? m.path("lagEntries").asLong() + " entries" : "-");
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the members, their roles and lag.")
    static final class Status extends Remote {
        @Override
        public Integer call() throws Exception {
            JsonNode cluster = send("GET", "/cluster", Optional.empty(), System.err);
            if (cluster == null) {
                return EXIT_FAILED;
            }
            printStatus(cluster, System.out);
            return 0;
        }
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Add a member started with --join: it copies the store, then takes part.")
    static final class Add extends Remote {
        @Parameters(paramLabel = "ID=HOST:CLIENT_PORT:RAFT_PORT", description = "The new member.")
        String member;

        @Override
        public Integer call() throws Exception {
            JsonNode reply = send(
                    "POST",
                    "/cluster/members",
                    Optional.of(new ObjectMapper()
                            .createObjectNode()
                            .put("member", member)
                            .toString()),
                    System.err);
            if (reply == null) {
                return EXIT_FAILED;
            }
            System.out.println("factum: added " + reply.path("added").asText());
            printStatus(reply.path("cluster"), System.out);
            return 0;
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a member (a dead one, or one to retire).")
    static final class Remove extends Remote {
        @Parameters(paramLabel = "ID", description = "The member's node id.")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode reply = send("DELETE", "/cluster/members/" + id, Optional.empty(), System.err);
            if (reply == null) {
                return EXIT_FAILED;
            }
            System.out.println("factum: removed " + reply.path("removed").asText());
            printStatus(reply.path("cluster"), System.out);
            return 0;
        }
    }
}
