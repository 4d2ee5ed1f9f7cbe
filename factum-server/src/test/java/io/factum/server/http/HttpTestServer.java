package io.factum.server.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerLimits;
import io.factum.server.ServerOptions;
import io.factum.server.security.ServerSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real server on a free loopback port over an embedded store, and an HTTP/1.1 client for it. */
final class HttpTestServer implements AutoCloseable {

    /** Reads numbers exactly, so tests see the digits the server sent. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    final EmbeddedEventStore store;
    final FactumServer server;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private HttpTestServer(EmbeddedEventStore store, FactumServer server) {
        this.store = store;
        this.server = server;
    }

    static HttpTestServer start(Path dir) throws IOException {
        return start(
                dir, ServerSecurity.disabled(), HttpOptions.defaults(), ServerLimits.defaults(), Clock.systemUTC());
    }

    static HttpTestServer start(Path dir, ServerSecurity security, HttpOptions http, ServerLimits limits, Clock clock)
            throws IOException {
        var store = EmbeddedEventStore.open(EngineOptions.defaults(dir).withClock(clock));
        try {
            var options = new ServerOptions("127.0.0.1", 0, limits, security, clock);
            return new HttpTestServer(store, FactumServer.start(store, options, http));
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    int port() {
        return server.port();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String pathAndQuery, String... headers) {
        var builder = request(pathAndQuery).GET();
        withHeaders(builder, headers);
        return send(builder.build());
    }

    Reply post(String pathAndQuery, String body, String... headers) {
        var builder = request(pathAndQuery).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        withHeaders(builder, headers);
        return send(builder.build());
    }

    Reply put(String pathAndQuery, String body, String... headers) {
        var builder = request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        withHeaders(builder, headers);
        return send(builder.build());
    }

    Reply delete(String pathAndQuery, String... headers) {
        var builder = request(pathAndQuery).DELETE();
        withHeaders(builder, headers);
        return send(builder.build());
    }

    /** The value of one sample of /metrics, e.g. {@code factum_appends_total{transport="http",api="stream"}}. */
    double metric(String sample) {
        String text = get("/metrics").body();
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no sample " + sample + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static void withHeaders(HttpRequest.Builder builder, String... headers) {
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }

    /** A response with its body as text and, when it is JSON, as a tree. */
    record Reply(HttpResponse<String> response) {
        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse("");
        }

        JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status() + "): " + response.body(), e);
            }
        }

        /** The error name of a JSON error response. */
        String error() {
            return json().path("error").asText();
        }

        @Override
        public String toString() {
            return status() + " " + body();
        }
    }
}
