package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.RecordedEvent;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.SubscribeToStreamOptions;
import com.eventstore.dbclient.Subscription;
import com.eventstore.dbclient.SubscriptionListener;
import com.fasterxml.jackson.databind.JsonNode;
import io.factum.server.it.ServerProcess;
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
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code factum server} process: the official gRPC client (db-client-java) and plain HTTP on
 * the same port at the same time, each seeing what the other wrote.
 */
class HttpServerProcessTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static ServerProcess server;
    static EventStoreDBClient grpc;
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"));
        grpc = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(server.connectionString("esdb")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (grpc != null) {
            grpc.shutdown().get();
        }
        if (server != null) {
            server.close();
        }
    }

    static URI uri(String pathAndQuery) {
        return URI.create("http://localhost:" + server.port() + pathAndQuery);
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(pathAndQuery))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static SseClient live(String pathAndQuery, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(uri(pathAndQuery)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return SseClient.open(http, request.build());
    }

    static void appendViaGrpc(String stream, String type, int n) throws Exception {
        grpc.appendToStream(
                        stream,
                        AppendToStreamOptions.get().expectedRevision(ExpectedRevision.any()),
                        EventData.builderAsJson(type, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                                .eventId(UUID.randomUUID())
                                .build())
                .get(20, TimeUnit.SECONDS);
    }

    static JsonNode json(String text) throws Exception {
        return HttpTestServer.JSON.readTree(text);
    }

    @Test
    void anSseTailSeesGrpcAppendsAndResumesWithLastEventId() throws Exception {
        String prefix = "tail-" + UUID.randomUUID() + "-";
        String lastId;
        try (SseClient sse = live("/streams/$all/live?streamPrefix=" + prefix)) {
            assertThat(sse.next("caught-up", WAIT).data()).isEqualTo("{}");
            appendViaGrpc(prefix + "a", "Placed", 1);
            appendViaGrpc(prefix + "b", "Placed", 2);
            SseClient.Frame first = sse.next("event", WAIT);
            SseClient.Frame second = sse.next("event", WAIT);
            assertThat(json(first.data()).get("stream").asText()).isEqualTo(prefix + "a");
            assertThat(json(second.data()).get("data").get("n").asInt()).isEqualTo(2);
            assertThat(Long.parseLong(second.id())).isGreaterThan(Long.parseLong(first.id()));
            lastId = second.id();
        }
        appendViaGrpc(prefix + "c", "Placed", 3); // while no tail is connected
        try (SseClient sse = live("/streams/$all/live?streamPrefix=" + prefix, "Last-Event-ID", lastId)) {
            SseClient.Frame missed = sse.next("event", WAIT);
            assertThat(json(missed.data()).get("stream").asText()).isEqualTo(prefix + "c");
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
        }
    }

    @Test
    void eventsWrittenOverEitherProtocolReadTheSameOverTheOther() throws Exception {
        String stream = "both-" + UUID.randomUUID();
        var appended = post(
                "/streams/" + stream,
                "[{\"type\":\"ViaHttp\",\"data\":{\"a\":1},\"metadata\":{\"$correlationId\":\"c1\"}}]");
        assertThat(appended.statusCode()).isEqualTo(201);
        byte[] binary = {1, 2, 3, (byte) 200};
        grpc.appendToStream(
                        stream,
                        AppendToStreamOptions.get().expectedRevision(ExpectedRevision.expectedRevision(0)),
                        EventData.builderAsBinary("ViaGrpc", binary).build())
                .get(20, TimeUnit.SECONDS);

        List<ResolvedEvent> viaGrpc = grpc.readStream(
                        stream, ReadStreamOptions.get().fromStart())
                .get(20, TimeUnit.SECONDS)
                .getEvents();
        RecordedEvent first = viaGrpc.get(0).getEvent();
        assertThat(first.getEventType()).isEqualTo("ViaHttp");
        assertThat(first.getContentType()).isEqualTo("application/json");
        assertThat(new String(first.getEventData(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(new String(first.getUserMetadata(), StandardCharsets.UTF_8))
                .isEqualTo("{\"$correlationId\":\"c1\"}");

        JsonNode second = json(get("/streams/" + stream + "/1").body());
        assertThat(second.get("type").asText()).isEqualTo("ViaGrpc");
        assertThat(second.get("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(Base64.getDecoder().decode(second.get("data").asText())).isEqualTo(binary);
        assertThat(second.get("eventId").asText())
                .isEqualTo(viaGrpc.get(1).getEvent().getEventId().toString());
    }

    @Test
    void concurrentWritersOverBothProtocolsAreSeenInOneOrderByBothTails() throws Exception {
        String stream = "mixed-" + UUID.randomUUID();
        BlockingQueue<Long> grpcSeen = new LinkedBlockingQueue<>();
        Subscription subscription = grpc.subscribeToStream(
                        stream,
                        new SubscriptionListener() {
                            @Override
                            public void onEvent(Subscription s, ResolvedEvent event) {
                                grpcSeen.add(event.getOriginalEvent().getRevision());
                            }
                        },
                        SubscribeToStreamOptions.get().fromStart())
                .get(20, TimeUnit.SECONDS);
        try (SseClient sse = live("/streams/" + stream + "/live?from=start")) {
            int each = 20;
            var viaHttp = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        assertThat(post("/streams/" + stream, "[{\"type\":\"H\",\"data\":{}}]")
                                        .statusCode())
                                .isEqualTo(201);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            for (int i = 0; i < each; i++) {
                appendViaGrpc(stream, "G", i);
            }
            viaHttp.get(60, TimeUnit.SECONDS);

            List<String> sseTypes = new ArrayList<>();
            List<Long> sseVersions = new ArrayList<>();
            while (sseVersions.size() < 2 * each) {
                SseClient.Frame frame = sse.next(WAIT);
                if (frame.event().equals("event")) {
                    sseVersions.add(Long.parseLong(frame.id()));
                    sseTypes.add(json(frame.data()).get("type").asText());
                }
            }
            List<Long> grpcVersions = new ArrayList<>();
            for (int i = 0; i < 2 * each; i++) {
                Long version = grpcSeen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(version).as("gRPC subscription event " + i).isNotNull();
                grpcVersions.add(version);
            }
            assertThat(sseVersions).isEqualTo(HttpStreamsApiTest.range(0, 2 * each));
            assertThat(grpcVersions).isEqualTo(sseVersions);
            assertThat(sseTypes).filteredOn("H"::equals).hasSize(each);
            assertThat(sseTypes).filteredOn("G"::equals).hasSize(each);
        } finally {
            subscription.stop();
        }
        String metrics = get("/metrics").body();
        assertThat(metrics).containsPattern("factum_appends_total\\{transport=\"grpc\",api=\"[a-z-]+\"} [1-9]");
        assertThat(metrics).containsPattern("factum_appends_total\\{transport=\"http\",api=\"stream\"} [1-9]");
        assertThat(metrics).containsPattern("factum_events_delivered_total\\{transport=\"grpc\"} [1-9]");
    }

    @Test
    void infoAndReadinessDescribeTheRunningServer() throws Exception {
        var ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        JsonNode info = json(get("/info").body());
        assertThat(info.get("protocolVersion").asText()).isEqualTo("24.10.0");
        assertThat(info.get("state").asText()).isEqualTo("serving");
        assertThat(info.get("headPosition").asLong()).isGreaterThanOrEqualTo(-1);
        UUID.fromString(info.get("node").asText());
    }

    @Test
    void aCleanStopEndsOpenEventStreams() throws Exception {
        try (ServerProcess own = ServerProcess.start(dir.resolve("stopping"))) {
            var request = HttpRequest.newBuilder(URI.create("http://localhost:" + own.port() + "/streams/$all/live"))
                    .build();
            try (SseClient sse = SseClient.open(http, request)) {
                assertThat(sse.next("caught-up", WAIT).event()).isEqualTo("caught-up");
                // SIGTERM: the JVM reports 143 (128 + 15) once its shutdown hook stopped the server
                assertThat(own.stop()).as(own.output()).isIn(0, 143);
                assertThat(sse.awaitEnd(WAIT)).isTrue();
            }
        }
    }
}
