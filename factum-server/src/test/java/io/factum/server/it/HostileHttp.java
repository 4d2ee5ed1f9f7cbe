package io.factum.server.it;

import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP half of {@link HostileInputTest}: malformed bodies, names, versions, parameters, methods
 * and raw protocol garbage. Each case is accepted when the server answers with one of the expected
 * 4xx statuses (and, for API requests, the JSON error shape); it is then reported as an
 * INVALID_ARGUMENT-like outcome so that both protocols share one list of cases.
 */
final class HostileHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /**
     * The {@code Authorization} header of every case that is not about credentials: the server runs
     * with {@code --auth}, and these cases are about what the administrator sends.
     */
    private static volatile String admin = "";

    private HostileHttp() {}

    static int get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Authorization", admin)
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /**
     * Every HTTP case: those about input sent as the administrator ({@code adminAuthorization}),
     * then those about credentials.
     */
    static List<HostileInputTest.Case> cases(int port, String adminAuthorization, String bobAuthorization) {
        admin = adminAuthorization;
        List<HostileInputTest.Case> cases = new ArrayList<>();
        credentials(port, bobAuthorization, cases);
        malformedBodies(port, cases);
        badNames(port, cases);
        badVersions(port, cases);
        badParameters(port, cases);
        badMethodsAndPaths(port, cases);
        rawGarbage(port, cases);
        return cases;
    }

    /**
     * Requests that would succeed as the administrator, refused for who sends them: 401 without
     * or with bad credentials, 403 for bob (no groups) on the admins-only stream and on {@code $all}.
     */
    private static void credentials(int port, String bob, List<HostileInputTest.Case> cases) {
        Map<String, String[]> requests = new LinkedHashMap<>();
        requests.put("append to victim", new String[] {"POST", "/streams/victim", "[{\"type\":\"A\"}]"});
        requests.put("read of victim", new String[] {"GET", "/streams/victim", null});
        requests.put("read of $all", new String[] {"GET", "/streams/$all", null});
        requests.put("delete of victim", new String[] {"DELETE", "/streams/victim", null});
        requests.put("metadata of victim", new String[] {"PUT", "/streams/victim/metadata", "{\"$maxCount\":1}"});
        requests.put("live tail of $all", new String[] {"GET", "/streams/$all/live", null});
        Map<String, String> unauthenticated = new LinkedHashMap<>();
        unauthenticated.put("no credentials", "");
        unauthenticated.put(
                "a wrong password",
                "Basic "
                        + java.util.Base64.getEncoder()
                                .encodeToString("admin:not-the-password".getBytes(StandardCharsets.UTF_8)));
        unauthenticated.put("a header that is not base64", "Basic !!!");
        unauthenticated.forEach((who, header) -> requests.forEach((what, r) -> cases.add(
                http("HTTP " + what + " with " + who, port, r[0], r[1], header, Map.of(), r[2], Set.of(401)))));
        for (String path : List.of("/info", "/metrics")) {
            cases.add(http(
                    "HTTP GET " + path + " with no credentials", port, "GET", path, "", Map.of(), null, Set.of(401)));
        }
        requests.forEach((what, r) ->
                cases.add(http("HTTP " + what + " as bob", port, r[0], r[1], bob, Map.of(), r[2], Set.of(403))));
    }

    private static void malformedBodies(int port, List<HostileInputTest.Case> cases) {
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("empty body", "");
        bodies.put("not JSON", "hello");
        bodies.put("truncated array", "[{\"type\":\"A\"");
        bodies.put("trailing comma", "[{\"type\":\"A\",}]");
        bodies.put("an object, not an array", "{\"type\":\"A\"}");
        bodies.put("a number", "42");
        bodies.put("null", "null");
        bodies.put("array of numbers", "[1,2,3]");
        bodies.put("event without type", "[{\"data\":{}}]");
        bodies.put("empty type", "[{\"type\":\"\"}]");
        bodies.put("type of 257 bytes", "[{\"type\":\"" + "t".repeat(257) + "\"}]");
        bodies.put("type with a control character", "[{\"type\":\"a\\u0001b\"}]");
        bodies.put("type is a number", "[{\"type\":5}]");
        bodies.put("misspelt field", "[{\"type\":\"A\",\"Data\":{}}]");
        bodies.put("unknown field", "[{\"type\":\"A\",\"colour\":\"red\"}]");
        bodies.put("invalid eventId", "[{\"type\":\"A\",\"eventId\":\"nope\"}]");
        bodies.put("eventId is a number", "[{\"type\":\"A\",\"eventId\":7}]");
        bodies.put("unknown contentType", "[{\"type\":\"A\",\"contentType\":\"text/plain\"}]");
        bodies.put(
                "binary data not base64",
                "[{\"type\":\"A\",\"contentType\":\"application/octet-stream\"," + "\"data\":\"***\"}]");
        bodies.put("duplicate keys", "[{\"type\":\"A\",\"type\":\"B\"}]");
        bodies.put("unterminated string", "[{\"type\":\"A}]");
        bodies.put("bad escape", "[{\"type\":\"\\q\"}]");
        bodies.put("lone surrogate escape", "[{\"type\":\"\\ud800\"}]");
        bodies.put("deep nesting", "[{\"type\":\"A\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}]");
        bodies.put("NaN literal", "[{\"type\":\"A\",\"data\":NaN}]");
        bodies.put("single quotes", "[{'type':'A'}]");
        bodies.put("two documents", "[{\"type\":\"A\"}] [{\"type\":\"B\"}]");
        bodies.put(
                "invalid UTF-8",
                new String(new byte[] {'[', '"', (byte) 0xC3, (byte) 0x28, '"', ']'}, StandardCharsets.ISO_8859_1));
        for (var entry : bodies.entrySet()) {
            cases.add(http(
                    "HTTP append with " + entry.getKey(),
                    port,
                    "POST",
                    "/streams/victim",
                    Map.of(),
                    entry.getValue(),
                    Set.of(400)));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("not JSON", "nope");
        metadata.put("maxCount as a string", "{\"$maxCount\":\"ten\"}");
        metadata.put("negative maxCount", "{\"$maxCount\":-1}");
        metadata.put("maxAge as an object", "{\"$maxAge\":{}}");
        metadata.put("tb as a float", "{\"$tb\":1.5}");
        metadata.put("acl as a number", "{\"$acl\":5}");
        metadata.put("an array", "[]");
        for (var entry : metadata.entrySet()) {
            cases.add(http(
                    "HTTP metadata with " + entry.getKey(),
                    port,
                    "PUT",
                    "/streams/victim/metadata",
                    Map.of(),
                    entry.getValue(),
                    Set.of(400)));
        }
        cases.add(http(
                "HTTP append of 18 MiB",
                port,
                "POST",
                "/streams/victim",
                Map.of(),
                "[{\"type\":\"A\",\"data\":\"" + "x".repeat(18 << 20) + "\"}]",
                Set.of(413)));
    }

    private static void badNames(int port, List<HostileInputTest.Case> cases) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("a control character", "bad%01name");
        names.put("a NUL", "bad%00name");
        names.put("a newline", "bad%0Aname");
        names.put("1025 bytes", "n".repeat(1025));
        names.put("bad percent-encoding", "bad%zzname");
        names.put("a truncated percent-encoding", "bad%2");
        names.put("invalid UTF-8 percent-encoded", "bad%C3%28");
        for (var entry : names.entrySet()) {
            cases.add(http(
                    "HTTP append to a name with " + entry.getKey(),
                    port,
                    "POST",
                    "/streams/" + entry.getValue(),
                    Map.of(),
                    "[{\"type\":\"A\"}]",
                    Set.of(400, 414)));
            cases.add(http(
                    "HTTP read of a name with " + entry.getKey(),
                    port,
                    "GET",
                    "/streams/" + entry.getValue(),
                    Map.of(),
                    null,
                    Set.of(400, 414)));
        }
        cases.add(http(
                "HTTP append to $all",
                port,
                "POST",
                "/streams/$all",
                Map.of(),
                "[{\"type\":\"A\"}]",
                Set.of(400, 405)));
        cases.add(http("HTTP delete of $all", port, "DELETE", "/streams/$all", Map.of(), null, Set.of(400, 405)));
    }

    private static void badVersions(int port, List<HostileInputTest.Case> cases) {
        List<String> factum = List.of(
                "", "maybe", "-1", "-5", "1.5", "9223372036854775808", "0x10", "+1", "any,no-stream", "NO_STREAM");
        for (String value : factum) {
            cases.add(http(
                    "HTTP append with Factum-Expected-Version '" + value + "'",
                    port,
                    "POST",
                    "/streams/victim",
                    Map.of("Factum-Expected-Version", value),
                    "[{\"type\":\"A\"}]",
                    Set.of(400)));
        }
        List<String> kurrent = List.of("-3", "-5", "-100", "abc", "1e3", "99999999999999999999", "");
        for (String value : kurrent) {
            cases.add(http(
                    "HTTP append with ES-ExpectedVersion '" + value + "'",
                    port,
                    "POST",
                    "/streams/victim",
                    Map.of("ES-ExpectedVersion", value),
                    "[{\"type\":\"A\"}]",
                    Set.of(400)));
        }
        cases.add(http(
                "HTTP append with disagreeing version headers",
                port,
                "POST",
                "/streams/victim",
                Map.of("ES-ExpectedVersion", "-1", "Factum-Expected-Version", "3"),
                "[{\"type\":\"A\"}]",
                Set.of(400)));
        cases.add(http(
                "HTTP delete with a bad expected version",
                port,
                "DELETE",
                "/streams/victim",
                Map.of("Factum-Expected-Version", "soon"),
                null,
                Set.of(400)));
        cases.add(http(
                "HTTP metadata with a bad expected version",
                port,
                "PUT",
                "/streams/victim/metadata",
                Map.of("ES-ExpectedVersion", "-9"),
                "{\"$maxCount\":5}",
                Set.of(400)));
    }

    private static void badParameters(int port, List<HostileInputTest.Case> cases) {
        List<String> streamQueries = List.of(
                "limit=0",
                "limit=-1",
                "limit=1001",
                "limit=abc",
                "limit=",
                "from=-1",
                "from=later",
                "from=1.5",
                "direction=sideways",
                "direction=",
                "colour=red",
                "limit=1&limit=2",
                "from=99999999999999999999");
        for (String query : streamQueries) {
            cases.add(http(
                    "HTTP stream read with ?" + query,
                    port,
                    "GET",
                    "/streams/victim?" + query,
                    Map.of(),
                    null,
                    Set.of(400)));
        }
        List<String> allQueries = List.of(
                "limit=0",
                "from=-3",
                "from=first",
                "direction=up",
                "streamRegex=(",
                "typeRegex=[a-",
                "streamPrefix=",
                "shape=round",
                "from=1&from=2");
        for (String query : allQueries) {
            cases.add(http(
                    "HTTP $all read with ?" + query,
                    port,
                    "GET",
                    "/streams/$all?" + query,
                    Map.of(),
                    null,
                    Set.of(400)));
        }
        cases.add(http(
                "HTTP live tail from a bad place",
                port,
                "GET",
                "/streams/victim/live?from=yesterday",
                Map.of(),
                null,
                Set.of(400)));
        cases.add(http(
                "HTTP live tail with a bad Last-Event-ID",
                port,
                "GET",
                "/streams/victim/live",
                Map.of("Last-Event-ID", "not-a-number"),
                null,
                Set.of(400)));
        cases.add(http(
                "HTTP event at a negative version",
                port,
                "GET",
                "/streams/victim/-4",
                Map.of(),
                null,
                Set.of(400, 404)));
        cases.add(http(
                "HTTP event at a non-number", port, "GET", "/streams/victim/seven", Map.of(), null, Set.of(400, 404)));
    }

    private static void badMethodsAndPaths(int port, List<HostileInputTest.Case> cases) {
        cases.add(http("HTTP PATCH of a stream", port, "PATCH", "/streams/victim", Map.of(), "{}", Set.of(405)));
        cases.add(http("HTTP PUT of a stream", port, "PUT", "/streams/victim", Map.of(), "[]", Set.of(405)));
        cases.add(http("HTTP POST to metadata", port, "POST", "/streams/victim/metadata", Map.of(), "{}", Set.of(405)));
        cases.add(http("HTTP DELETE of health", port, "DELETE", "/health/ready", Map.of(), null, Set.of(405)));
        cases.add(http("HTTP POST to metrics", port, "POST", "/metrics", Map.of(), "x", Set.of(405)));
        for (String path : List.of(
                "/nope", "/streams", "/streams/", "/streams/victim/metadata/extra", "/health", "/../../etc/passwd")) {
            cases.add(http("HTTP GET " + path, port, "GET", path, Map.of(), null, Set.of(400, 404)));
        }
    }

    private static void rawGarbage(int port, List<HostileInputTest.Case> cases) {
        Map<String, String> requests = new LinkedHashMap<>();
        requests.put("no HTTP version", "GET /streams/victim\r\n\r\n");
        requests.put("an unknown version", "GET /streams/victim HTTP/9.9\r\n\r\n");
        requests.put("garbage request line", "\u0001\u0002\u0003 nonsense\r\n\r\n");
        requests.put("a header without colon", "GET /health/ready HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n");
        requests.put(
                "a negative Content-Length", "POST /streams/victim HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n");
        requests.put(
                "two Content-Lengths",
                "POST /streams/victim HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]");
        requests.put(
                "a bad chunk size",
                "POST /streams/victim HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n");
        requests.put("a request line of 10 KiB", "GET /" + "a".repeat(10 << 10) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        requests.put(
                "20 KiB of headers",
                "GET /health/ready HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20 << 10) + "\r\n\r\n");
        for (var entry : requests.entrySet()) {
            String request = entry.getValue();
            cases.add(new HostileInputTest.Case(
                    "HTTP raw " + entry.getKey(), () -> raw(port, request), Set.of(Status.Code.INVALID_ARGUMENT)));
        }
    }

    /** A case sent as the administrator. */
    private static HostileInputTest.Case http(
            String name,
            int port,
            String method,
            String path,
            Map<String, String> headers,
            String body,
            Set<Integer> expected) {
        return new HostileInputTest.Case(
                name,
                () -> send(port, method, path, admin, headers, body, expected),
                Set.of(Status.Code.INVALID_ARGUMENT));
    }

    /** A case sent with this {@code Authorization} header (none when empty). */
    private static HostileInputTest.Case http(
            String name,
            int port,
            String method,
            String path,
            String authorization,
            Map<String, String> headers,
            String body,
            Set<Integer> expected) {
        return new HostileInputTest.Case(
                name,
                () -> send(port, method, path, authorization, headers, body, expected),
                Set.of(Status.Code.INVALID_ARGUMENT));
    }

    /** The HTTP answer as a status: accepted client errors become INVALID_ARGUMENT with their message. */
    private static Status send(
            int port,
            String method,
            String path,
            String authorization,
            Map<String, String> headers,
            String body,
            Set<Integer> expected) {
        try {
            var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body.getBytes(
                                            StandardCharsets.ISO_8859_1.equals(charsetOf(body))
                                                    ? StandardCharsets.ISO_8859_1
                                                    : StandardCharsets.UTF_8)));
            headers.forEach(builder::header);
            if (!authorization.isEmpty()) {
                builder.header("Authorization", authorization);
            }
            // A large body waits for the server's go-ahead: the server refuses it (413) before it is
            // sent, rather than closing the connection under a client that is still writing.
            builder.expectContinue(body != null && body.length() > (1 << 20));
            HttpResponse<String> response = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return judge(response.statusCode(), response.body(), expected);
        } catch (IllegalArgumentException e) {
            // The JDK client refuses to send some of these at all (a bad URI): nothing reached the
            // server, so the case is sent raw instead.
            return raw(
                    port,
                    method + " " + path + " HTTP/1.1\r\nHost: x\r\n"
                            + (authorization.isEmpty() ? "" : "Authorization: " + authorization + "\r\n")
                            + "Content-Length: 0\r\n\r\n");
        } catch (IOException e) {
            return Status.UNKNOWN.withDescription("HTTP: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.CANCELLED;
        }
    }

    private static java.nio.charset.Charset charsetOf(String body) {
        // The one body built from raw bytes (invalid UTF-8) must be sent byte for byte.
        return body.chars().anyMatch(c -> c > 0x7F && c < 0x100) ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
    }

    private static Status judge(int code, String body, Set<Integer> expected) {
        boolean jsonError = body.contains("\"error\"") && body.contains("\"message\"");
        if (expected.contains(code) && jsonError) {
            return Status.INVALID_ARGUMENT.withDescription("HTTP " + code + ": " + body.strip());
        }
        return Status.UNKNOWN.withDescription("HTTP " + code + " (expected " + expected + "): " + body.strip());
    }

    /**
     * Bytes straight to the socket; the answer must be an HTTP 4xx status line. A connection closed
     * or reset without one is a failure: the client would not learn what was wrong.
     */
    private static Status raw(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            String line = new String(head, StandardCharsets.ISO_8859_1);
            if (head.length == 0) {
                return Status.UNKNOWN.withDescription("connection closed without an HTTP answer");
            }
            if (line.matches("HTTP/1\\.[01] 4\\d\\d")) {
                return Status.INVALID_ARGUMENT.withDescription(line);
            }
            return Status.UNKNOWN.withDescription("raw answer: " + line);
        } catch (IOException e) {
            return Status.UNKNOWN.withDescription("no HTTP answer, the connection failed: " + e);
        }
    }
}
