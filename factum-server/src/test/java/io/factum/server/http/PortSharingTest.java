package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.ReadStreamOptions;
import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC and HTTP/1.1 share the port, and no client can hurt it: garbage, a stalled HTTP/2 preface, a
 * silent connection, a slowloris request and an idle keep-alive connection are each closed within
 * their timeout, while the official gRPC client and HTTP keep working.
 */
class PortSharingTest {

    static final Duration SNIFF = Duration.ofMillis(400);
    static final Duration REQUEST = Duration.ofMillis(600);
    static final Duration IDLE = Duration.ofMillis(1000);

    @TempDir
    static Path dir;

    static HttpTestServer server;
    static EventStoreDBClient grpc;

    @BeforeAll
    static void start() throws Exception {
        server = HttpTestServer.start(
                dir,
                ServerSecurity.disabled(),
                HttpOptions.defaults().withTimeouts(SNIFF, REQUEST, IDLE),
                ServerLimits.defaults(),
                Clock.systemUTC());
        grpc = EventStoreDBClient.create(
                EventStoreDBConnectionString.parseOrThrow("esdb://127.0.0.1:" + server.port() + "?tls=false"));
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

    Socket connect() throws IOException {
        var socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** One response: status line, headers, and a Content-Length body. */
    record RawResponse(String head, String body) {
        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        boolean closes() {
            return head.toLowerCase(java.util.Locale.ROOT).contains("connection: close");
        }
    }

    static RawResponse readResponse(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before a full response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new RawResponse(text, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    /** True when the server closes the connection within the wait (end of stream, or reset). */
    static boolean closedWithin(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // drain whatever the server still sent
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Test
    void garbageInsteadOfARequestGetsAClientErrorAndTheConnectionCloses() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        garbage[0] = 'X'; // never the HTTP/2 preface
        try (Socket socket = connect()) {
            socket.getOutputStream().write(garbage);
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isBetween(400, 499);
            assertThat(response.body()).contains("\"error\"");
            assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
        }
        try (Socket socket = connect()) {
            send(socket, "HELLO\r\n\r\n");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("\"malformed-request\"");
            assertThat(response.closes()).isTrue();
        }
    }

    @Test
    void aStalledHttp2PrefaceAndASilentConnectionAreClosedAfterTheSniffTimeout() throws Exception {
        try (Socket stalled = connect();
                Socket silent = connect()) {
            send(stalled, "PRI * HTTP/2.0\r\n");
            assertThat(closedWithin(stalled, SNIFF.multipliedBy(10))).isTrue();
            assertThat(closedWithin(silent, SNIFF.multipliedBy(10))).isTrue();
        }
    }

    @Test
    void aSlowlorisRequestGets408() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /health/live HTTP/1.1\r\nHost: test\r\nX-Slow: ");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.body()).contains("\"request-timeout\"");
            assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n");
            assertThat(readResponse(socket.getInputStream()).status()).isEqualTo(200);
            send(socket, "GET /health/ready HTTP/1.1\r\nHost: test\r\n\r\n"); // still open: keep-alive
            assertThat(readResponse(socket.getInputStream()).status()).isEqualTo(200);
            assertThat(closedWithin(socket, IDLE.multipliedBy(10))).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket socket = connect()) {
            send(
                    socket,
                    "GET /health/live HTTP/1.1\r\nHost: t\r\n\r\nGET /streams/none HTTP/1.1\r\nHost: t\r\n\r\n"
                            + "GET /health/ready HTTP/1.1\r\nHost: t\r\n\r\n");
            InputStream in = socket.getInputStream();
            assertThat(readResponse(in).body()).contains("live");
            assertThat(readResponse(in).body()).contains("stream-not-found");
            assertThat(readResponse(in).body()).contains("ready");
        }
    }

    @Test
    void http10AndConnectionCloseEndTheConnectionAfterTheResponse() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /health/live HTTP/1.0\r\n\r\n");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.closes()).isTrue();
            assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
        }
        try (Socket socket = connect()) {
            send(socket, "GET /health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertThat(readResponse(socket.getInputStream()).closes()).isTrue();
            assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void oversizedHeadersAndRequestLinesAndBadEscapesAreClientErrors() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "GET /health/live HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(431);
            assertThat(response.body()).contains("headers-too-large");
        }
        try (Socket socket = connect()) {
            send(socket, "GET /streams/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(414);
            assertThat(response.body()).contains("uri-too-long");
        }
        try (Socket socket = connect()) {
            send(socket, "GET /streams/bad%zz HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse response = readResponse(socket.getInputStream());
            assertThat(response.status()).isEqualTo(400);
            assertThat(response.body()).contains("malformed percent-escape");
        }
    }

    @Test
    void anH2cUpgradeOfferIsAnsweredInHttp11() throws Exception {
        // Java's client offers "Upgrade: h2c" on http:// URLs; the server stays on HTTP/1.1.
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(server.uri("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void grpcAndHttpKeepWorkingWhileAbusiveConnectionsAreOpen() throws Exception {
        List<Socket> abusers = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket socket = connect();
                switch (i % 3) {
                    case 0 -> send(socket, "GET /health/live HTTP/1.1\r\nHost: "); // slowloris
                    case 1 -> send(socket, "PRI * HTTP/2.0\r\n"); // stalled preface
                    default -> {} // silent
                }
                abusers.add(socket);
            }
            String stream = "shared-" + UUID.randomUUID();
            grpc.appendToStream(
                            stream,
                            AppendToStreamOptions.get().expectedRevision(ExpectedRevision.noStream()),
                            EventData.builderAsJson("ViaGrpc", "{\"n\":1}".getBytes(StandardCharsets.UTF_8))
                                    .build())
                    .get();
            var viaHttp = server.post("/streams/" + stream, "[{\"type\":\"ViaHttp\",\"data\":{\"n\":2}}]");
            assertThat(viaHttp.status()).isEqualTo(201);
            var read =
                    grpc.readStream(stream, ReadStreamOptions.get().fromStart()).get();
            assertThat(read.getEvents()).hasSize(2);
            assertThat(read.getEvents().get(1).getEvent().getEventType()).isEqualTo("ViaHttp");
            assertThat(server.get("/streams/" + stream).json().get("events").findValuesAsText("type"))
                    .containsExactly("ViaGrpc", "ViaHttp");
            for (Socket socket : abusers) {
                assertThat(closedWithin(socket, Duration.ofSeconds(10))).isTrue();
            }
        } finally {
            for (Socket socket : abusers) {
                socket.close();
            }
        }
    }
}
