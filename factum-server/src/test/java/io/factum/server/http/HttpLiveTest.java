package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live tails as Server-Sent Events: catch-up, live, resume, filters, heartbeats, errors, slow clients. */
class HttpLiveTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    static HttpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpTestServer.start(
                dir,
                ServerSecurity.disabled(),
                HttpOptions.defaults().withHeartbeatInterval(Duration.ofMillis(300)),
                ServerLimits.defaults(),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    SseClient live(String pathAndQuery, String... headers) throws Exception {
        var request = server.request(pathAndQuery).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return SseClient.open(
                server.client, request.timeout(Duration.ofMinutes(5)).build());
    }

    static void append(String stream, int from, int count) {
        assertThat(server.post("/streams/" + stream, HttpStreamsApiTest.events(from, count))
                        .status())
                .isEqualTo(201);
    }

    static JsonNode data(SseClient.Frame frame) throws Exception {
        return HttpTestServer.JSON.readTree(frame.data());
    }

    @Test
    void streamTailSendsHistoryThenCaughtUpThenNewEvents() throws Exception {
        String stream = unique("tail");
        append(stream, 0, 3);
        try (SseClient sse = live("/streams/" + stream + "/live?from=start")) {
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.header("content-type")).startsWith("text/event-stream");
            for (int i = 0; i < 3; i++) {
                SseClient.Frame frame = sse.next(WAIT);
                assertThat(frame.event()).isEqualTo("event");
                assertThat(frame.id()).isEqualTo(Integer.toString(i));
                assertThat(data(frame).get("data").get("n").asInt()).isEqualTo(i);
                assertThat(data(frame).get("stream").asText()).isEqualTo(stream);
            }
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
            append(stream, 3, 2);
            assertThat(sse.next(WAIT).id()).isEqualTo("3");
            assertThat(sse.next(WAIT).id()).isEqualTo("4");
        }
    }

    @Test
    void lastEventIdResumesAfterTheEventItNamesAndFromIsInclusive() throws Exception {
        String stream = unique("resume");
        append(stream, 0, 6);
        try (SseClient sse = live("/streams/" + stream + "/live?from=start", "Last-Event-ID", "3")) {
            assertThat(sse.next(WAIT).id()).isEqualTo("4");
            assertThat(sse.next(WAIT).id()).isEqualTo("5");
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
        }
        try (SseClient sse = live("/streams/" + stream + "/live?from=2")) {
            assertThat(sse.next(WAIT).id()).isEqualTo("2");
        }
        try (SseClient sse = live("/streams/" + stream + "/live")) { // from the end by default
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
            append(stream, 6, 1);
            assertThat(sse.next(WAIT).id()).isEqualTo("6");
        }
    }

    @Test
    void badLiveParametersAreRefusedBeforeTheStreamStarts() {
        String stream = unique("params");
        var badId = server.get("/streams/" + stream + "/live", "Last-Event-ID", "abc");
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.json().get("field").asText()).isEqualTo("Last-Event-ID");
        assertThat(server.get("/streams/" + stream + "/live?from=-4").status()).isEqualTo(400);
        assertThat(server.get("/streams/$all/live?typeRegex=(")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("typeRegex");
        assertThat(server.get("/streams/$all/live?limit=3").json().get("field").asText())
                .isEqualTo("limit");
    }

    @Test
    void allTailFiltersUsesPositionsAsIdsAndReportsCheckpoints() throws Exception {
        String prefix = "match-" + UUID.randomUUID() + "-";
        String wanted = prefix + "a";
        append(wanted, 0, 1);
        try (SseClient sse = live("/streams/$all/live?from=start&streamPrefix=" + prefix)) {
            SseClient.Frame first = sse.next("event", WAIT);
            assertThat(data(first).get("stream").asText()).isEqualTo(wanted);
            assertThat(first.id()).isEqualTo(data(first).get("position").asText());
            sse.next("caught-up", WAIT);

            // More non-matching events than the checkpoint interval: a checkpoint reports the place.
            String other = unique("other");
            server.store.append(other, ExpectedVersion.any(), filler(LiveRoutes.CHECKPOINT_INTERVAL + 10));
            SseClient.Frame checkpoint = sse.next("checkpoint", WAIT);
            long place = data(checkpoint).get("position").asLong();
            assertThat(checkpoint.id()).isEqualTo(Long.toString(place));
            assertThat(place).isGreaterThan(first.id().isEmpty() ? 0 : Long.parseLong(first.id()));

            append(prefix + "b", 0, 1);
            SseClient.Frame second = sse.next("event", WAIT);
            assertThat(data(second).get("stream").asText()).isEqualTo(prefix + "b");

            // Resuming after the checkpoint skips what it covered and finds the second event first.
            try (SseClient resumed =
                    live("/streams/$all/live?streamPrefix=" + prefix, "Last-Event-ID", checkpoint.id())) {
                assertThat(resumed.next("event", WAIT).id()).isEqualTo(second.id());
            }
        }
    }

    static List<EventData> filler(int count) {
        List<EventData> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(EventData.json("Filler", "{}"));
        }
        return events;
    }

    @Test
    void quietStreamsCarryHeartbeats() throws Exception {
        try (SseClient sse = live("/streams/" + unique("quiet") + "/live")) {
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
            await(
                    () -> sse.comments().stream()
                            .filter(c -> c.contains("heartbeat"))
                            .count(),
                    2);
        }
    }

    @Test
    void aTombstoneEndsTheStreamWithAnErrorEvent() throws Exception {
        String stream = unique("doomed");
        append(stream, 0, 1);
        try (SseClient sse = live("/streams/" + stream + "/live?from=start")) {
            assertThat(sse.next(WAIT).id()).isEqualTo("0");
            assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
            assertThat(server.delete("/streams/" + stream + "?hard=true").status())
                    .isEqualTo(200);
            SseClient.Frame error = sse.next(WAIT);
            assertThat(error.event()).isEqualTo("error");
            assertThat(data(error).get("error").asText()).isEqualTo("stream-deleted");
            assertThat(sse.awaitEnd(WAIT)).isTrue();
        }
    }

    @Test
    void aClientThatLeavesEndsItsSubscription() throws Exception {
        String gauge = "factum_subscriptions{transport=\"http\",target=\"stream\"}";
        double before = server.metric(gauge);
        SseClient sse = live("/streams/" + unique("leaving") + "/live");
        assertThat(sse.next(WAIT).event()).isEqualTo("caught-up");
        assertThat(server.metric(gauge)).isEqualTo(before + 1);
        sse.close();
        await(() -> before - server.metric(gauge), 0);
        assertThatThrownBy(() -> sse.next(Duration.ofSeconds(5))).isInstanceOf(SseClient.StreamEndedException.class);
    }

    /**
     * A client that does not read: the server must not buffer the stream for it. It stops at the
     * connection's high water mark (plus what the kernel's socket buffers hold), the subscription
     * falls behind the head, and once the client reads, every event arrives in order.
     */
    @Test
    void aSlowClientSlowsOnlyItsOwnStreamAndBuffersNothingForIt() throws Exception {
        String stream = "slow-" + UUID.randomUUID();
        int total = 2000;
        byte[] payload = ("{\"pad\":\"" + "p".repeat(16 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        String delivered = "factum_events_delivered_total{transport=\"http\"}";
        double deliveredBefore = server.metric(delivered);
        try (var socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            socket.getOutputStream()
                    .write(("GET /streams/$all/live?from=start&streamPrefix=" + stream
                                    + " HTTP/1.1\r\nHost: test\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            for (int batch = 0; batch < total / 100; batch++) {
                List<EventData> events = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    events.add(new EventData(
                            UUID.randomUUID(), "Big", payload, new byte[0], io.factum.api.ContentType.JSON));
                }
                server.store.append(stream, ExpectedVersion.any(), events);
            }
            double stalled = awaitStable(() -> server.metric(delivered) - deliveredBefore);
            // 2000 events of 16 KiB are 32 MiB; kernel buffers and the 64 KiB mark hold a few MiB.
            assertThat(stalled)
                    .as("events handed to the socket while the client read nothing")
                    .isLessThan(total / 2.0);
            assertThat(server.metric("factum_subscription_lag_positions_max{transport=\"http\"}"))
                    .isGreaterThan(total / 2.0);

            List<Long> versions = readVersions(socket, total);
            assertThat(versions).hasSize(total);
            for (int i = 0; i < total; i++) {
                assertThat(versions.get(i)).isEqualTo(i);
            }
        }
    }

    /** Reads the raw chunked event stream until {@code count} events came; returns their versions. */
    static List<Long> readVersions(Socket socket, int count) throws Exception {
        socket.setSoTimeout(30_000);
        var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        List<Long> versions = new ArrayList<>();
        String line;
        while (versions.size() < count && (line = reader.readLine()) != null) {
            if (line.startsWith("data: {\"stream\"")) {
                versions.add(HttpTestServer.JSON
                        .readTree(line.substring(6))
                        .get("version")
                        .asLong());
            }
        }
        return versions;
    }

    /** Polls until the value stops changing for a second; returns it. */
    static double awaitStable(DoubleSupplier value) throws InterruptedException {
        double last = value.getAsDouble();
        long stableSince = System.nanoTime();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            double now = value.getAsDouble();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > Duration.ofSeconds(1).toNanos()) {
                return now;
            }
        }
        throw new AssertionError("the value kept changing: " + last);
    }

    static void await(DoubleSupplier value, double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (value.getAsDouble() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still " + value.getAsDouble() + ", expected at least " + atLeast);
            }
            Thread.sleep(50);
        }
    }
}
