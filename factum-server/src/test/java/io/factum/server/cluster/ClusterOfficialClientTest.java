package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.NotLeaderException;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.RecordedEvent;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.WriteResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code factum server --cluster} processes and the official EventStoreDB Java client, given
 * every node as a gossip seed or one follower in a discovery string: it finds the leader through
 * gossip, writes there, and after the leader is killed with SIGKILL it finds the new one; the killed node restarts and catches up, and
 * every node then holds the same log.
 */
class ClusterOfficialClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    static EventData event(String type, int n) {
        return EventData.builderAsJson(type, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                .eventId(UUID.randomUUID())
                .build();
    }

    static Optional<JsonNode> info(ClusterProcesses.Node node) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.clientPort() + "/info"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    static String awaitLeader(ClusterProcesses cluster) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (ClusterProcesses.Node n : cluster.nodes()) {
                Optional<JsonNode> info = info(n);
                if (info.isPresent() && info.get().path("role").asText().equals("leader")) {
                    return n.id();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no node reported role leader within 60 s");
    }

    static EventStoreDBClient client(String connectionString) {
        return EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(connectionString));
    }

    /** Appends, retrying through the failover; the event's id makes a retry of a stored append a no-op. */
    static WriteResult appendRetrying(EventStoreDBClient client, String stream, EventData event, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return client.appendToStream(stream, AppendToStreamOptions.get(), event)
                        .get();
            } catch (ExecutionException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no append succeeded within " + within, last);
    }

    static List<String> allEvents(String connectionString) throws Exception {
        EventStoreDBClient c = client(connectionString);
        try {
            List<String> out = new ArrayList<>();
            for (ResolvedEvent e : c.readAll(ReadAllOptions.get().fromStart().maxCount(100_000))
                    .get()
                    .getEvents()) {
                RecordedEvent r = e.getEvent();
                out.add(r.getPosition().getCommitUnsigned() + " " + r.getStreamId() + "@" + r.getRevision() + " "
                        + r.getEventId() + " " + r.getEventType() + " " + Arrays.hashCode(r.getEventData()));
            }
            return out;
        } finally {
            c.shutdown().get();
        }
    }

    static void awaitSameLogs(ClusterProcesses cluster) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, List<String>> logs = new LinkedHashMap<>();
        while (System.nanoTime() < deadline) {
            logs.clear();
            for (ClusterProcesses.Node n : cluster.nodes()) {
                logs.put(n.id(), allEvents(cluster.direct("esdb", n.id())));
            }
            if (logs.values().stream().distinct().count() == 1) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the nodes' logs differ: " + logs);
    }

    @Test
    void theOfficialClientFollowsTheLeaderThroughAFailover() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = awaitLeader(cluster);
            JsonNode info = info(cluster.node(leader)).orElseThrow();
            assertThat(info.path("cluster").path("members")).hasSize(3);
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + cluster.node(leader).clientPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics)
                    .contains("factum_cluster_role{role=\"leader\"} 1")
                    .contains("factum_cluster_role{role=\"follower\"} 0")
                    .containsPattern("factum_cluster_member_up\\{member=\"n\\d\"\\} 1")
                    .contains("factum_cluster_term ");

            String survivor = cluster.nodes().stream()
                    .map(ClusterProcesses.Node::id)
                    .filter(id -> !id.equals(leader))
                    .findFirst()
                    .orElseThrow();
            EventStoreDBClient client = client(cluster.seeds("esdb"));
            // A discovery string whose one seed is a follower: the client finds the leader from its
            // gossip, and the next leader after the failover too.
            EventStoreDBClient discovering = client(cluster.discover("esdb", survivor));
            try {
                for (int i = 0; i < 10; i++) {
                    client.appendToStream(
                                    "orders",
                                    AppendToStreamOptions.get()
                                            .expectedRevision(
                                                    i == 0
                                                            ? ExpectedRevision.noStream()
                                                            : ExpectedRevision.expectedRevision(i - 1)),
                                    event("Placed", i))
                            .get();
                }
                cluster.kill(leader);
                appendRetrying(client, "orders", event("AfterFailover", 10), Duration.ofSeconds(30));
                appendRetrying(discovering, "orders", event("Discovered", 11), Duration.ofSeconds(30));
                String next = awaitLeader(cluster);
                assertThat(next).isNotEqualTo(leader);
                var read = client.readStream("orders", ReadStreamOptions.get().fromStart())
                        .get();
                assertThat(read.getEvents()).hasSize(12);
            } finally {
                client.shutdown().get();
                discovering.shutdown().get();
            }
            cluster.start(leader);
            awaitSameLogs(cluster);
        }
    }

    @Test
    void aWriteSentToAFollowerIsAnsweredNotLeaderAndTheClientGoesToTheLeader() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = awaitLeader(cluster);
            String follower = cluster.nodes().stream()
                    .map(ClusterProcesses.Node::id)
                    .filter(id -> !id.equals(leader))
                    .findFirst()
                    .orElseThrow();
            EventStoreDBClient client = client(cluster.direct("esdb", follower));
            try {
                Throwable refused = null;
                try {
                    client.appendToStream("s", event("E", 0)).get();
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
                assertThat(refused).as("a follower takes no write").isInstanceOf(NotLeaderException.class);
                var endpoint = ((NotLeaderException) refused).getLeaderEndpoint();
                assertThat(endpoint.getPort()).isEqualTo(cluster.node(leader).clientPort());
                // The endpoint the answer named takes the write.
                EventStoreDBClient atLeader =
                        client("esdb://" + endpoint.getHostString() + ":" + endpoint.getPort() + "?tls=false");
                try {
                    assertThat(atLeader.appendToStream("s", event("E", 1)).get().getNextExpectedRevision())
                            .isEqualTo(ExpectedRevision.expectedRevision(0));
                } finally {
                    atLeader.shutdown().get();
                }
            } finally {
                client.shutdown().get();
            }
            String status = clusterCommand(
                    "status",
                    "--url",
                    "http://127.0.0.1:" + cluster.node(follower).clientPort());
            assertThat(status)
                    .contains("leader " + leader)
                    .containsPattern(leader + "\\s+127\\.0\\.0\\.1:\\d+\\s+\\d+\\s+leader\\s+yes");
        }
    }

    /** Runs {@code factum cluster ...} in this JVM and returns what it printed. */
    static String clusterCommand(String... args) {
        var out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream previous = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new picocli.CommandLine(new io.factum.server.ClusterCommand()).execute(args);
            assertThat(exit).as("factum cluster " + String.join(" ", args)).isZero();
        } finally {
            System.setOut(previous);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
