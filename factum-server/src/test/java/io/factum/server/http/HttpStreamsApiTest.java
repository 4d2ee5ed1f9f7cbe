package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream endpoints of the HTTP API against a real server: appends, reads, metadata, deletes. */
class HttpStreamsApiTest {

    static final int BODY_LIMIT = 64 * 1024;

    @TempDir
    static Path dir;

    static HttpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpTestServer.start(
                dir,
                ServerSecurity.disabled(),
                HttpOptions.defaults(),
                new ServerLimits(BODY_LIMIT, 1000, 200),
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

    static String events(int from, int count) {
        var out = new StringBuilder("[");
        for (int i = from; i < from + count; i++) {
            out.append(i == from ? "" : ",")
                    .append("{\"type\":\"Counted\",\"data\":{\"n\":")
                    .append(i)
                    .append("}}");
        }
        return out.append(']').toString();
    }

    @Test
    void appendAnswersCreatedWithVersionAndPositionAndReadsBack() {
        String stream = unique("order");
        var first = server.post(
                "/streams/" + stream,
                "[{\"type\":\"Placed\",\"data\":{\"total\":12.50}},{\"type\":\"Paid\",\"data\":[1,2]}]",
                "Factum-Expected-Version",
                "no-stream");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.json().get("version").asLong()).isEqualTo(1);
        assertThat(first.json().get("written").asBoolean()).isTrue();
        long position = first.json().get("position").asLong();

        var read = server.get("/streams/" + stream);
        assertThat(read.status()).isEqualTo(200);
        JsonNode events = read.json().get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("type").asText()).isEqualTo("Placed");
        assertThat(events.get(0).get("data").toString()).isEqualTo("{\"total\":12.50}"); // every digit kept
        assertThat(events.get(1).get("data").toString()).isEqualTo("[1,2]");
        assertThat(events.get(1).get("position").asLong()).isEqualTo(position);
        assertThat(events.get(1).get("version").asLong()).isEqualTo(1);
        assertThat(read.json().get("lastStreamVersion").asLong()).isEqualTo(1);
        assertThat(read.json().get("endOfStream").asBoolean()).isTrue();
    }

    @Test
    void retryWithTheSameEventIdsIsIdempotent() {
        String stream = unique("retry");
        String id = UUID.randomUUID().toString();
        String body = "[{\"eventId\":\"" + id + "\",\"type\":\"Placed\",\"data\":{}}]";
        assertThat(server.post("/streams/" + stream, body, "Factum-Expected-Version", "no-stream")
                        .status())
                .isEqualTo(201);
        var retry = server.post("/streams/" + stream, body, "Factum-Expected-Version", "no-stream");
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.json().get("written").asBoolean()).isFalse();
        var events = server.get("/streams/" + stream).json().get("events");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("eventId").asText()).isEqualTo(id);
    }

    @Test
    void wrongExpectedVersionIsAConflictNamingTheActualVersion() {
        String stream = unique("conflict");
        server.post("/streams/" + stream, events(0, 3));
        var conflict = server.post("/streams/" + stream, events(3, 1), "Factum-Expected-Version", "1");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.error()).isEqualTo("wrong-expected-version");
        assertThat(conflict.json().get("actualVersion").asLong()).isEqualTo(2);
        assertThat(conflict.json().get("expectedVersion").asLong()).isEqualTo(1);
        assertThat(conflict.json().get("stream").asText()).isEqualTo(stream);

        var noStream = server.post("/streams/" + stream, events(3, 1), "Factum-Expected-Version", "no-stream");
        assertThat(noStream.status()).isEqualTo(409);
        assertThat(noStream.json().get("expectedVersion").asText()).isEqualTo("no-stream");

        var missing =
                server.post("/streams/" + unique("none"), events(0, 1), "Factum-Expected-Version", "stream-exists");
        assertThat(missing.status()).isEqualTo(409);
        assertThat(missing.json().get("actualVersion").asText()).isEqualTo("no-stream");
        assertThat(server.get("/streams/" + stream).json().get("events")).hasSize(3); // nothing written
    }

    @Test
    void kurrentExpectedVersionHeaderIsUnderstood() {
        String stream = unique("es");
        assertThat(server.post("/streams/" + stream, events(0, 1), "ES-ExpectedVersion", "-1")
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/streams/" + stream, events(1, 1), "ES-ExpectedVersion", "-1")
                        .status())
                .isEqualTo(409);
        assertThat(server.post("/streams/" + stream, events(1, 1), "ES-ExpectedVersion", "0")
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/streams/" + stream, events(2, 1), "ES-ExpectedVersion", "-4")
                        .status())
                .isEqualTo(201);
        assertThat(server.post("/streams/" + stream, events(3, 1), "ES-ExpectedVersion", "-2")
                        .status())
                .isEqualTo(201);
        var disagree = server.post(
                "/streams/" + stream, events(4, 1), "ES-ExpectedVersion", "3", "Factum-Expected-Version", "2");
        assertThat(disagree.status()).isEqualTo(400);
        assertThat(disagree.json().get("field").asText()).isEqualTo("Factum-Expected-Version");
    }

    @Test
    void absurdExpectedVersionsAreRefusedNamingTheHeader() {
        String stream = unique("absurd");
        for (String value : List.of("-3", "abc", "99999999999999999999", "1.5", "")) {
            var reply = server.post("/streams/" + stream, events(0, 1), "ES-ExpectedVersion", value);
            assertThat(reply.status()).as(value).isEqualTo(400);
            assertThat(reply.json().get("field").asText()).isEqualTo("ES-ExpectedVersion");
        }
        for (String value : List.of("-1", "nostream", "99999999999999999999", "+3")) {
            var reply = server.post("/streams/" + stream, events(0, 1), "Factum-Expected-Version", value);
            assertThat(reply.status()).as(value).isEqualTo(400);
            assertThat(reply.json().get("field").asText()).isEqualTo("Factum-Expected-Version");
        }
        assertThat(server.get("/streams/" + stream).status()).isEqualTo(404); // nothing was written
    }

    @Test
    void malformedBodiesAreRefusedWithThePreciseField() {
        String path = "/streams/" + unique("bad");
        assertBad(server.post(path, "[{\"type\":\"A\",\"data\":{}},]"), "body", "malformed JSON");
        assertBad(server.post(path, "{\"type\":\"A\"}"), "body", "must be a JSON array");
        assertBad(server.post(path, ""), "body", "empty");
        assertBad(server.post(path, "[{\"type\":\"A\"}] trailing"), "body", "malformed JSON");
        assertBad(server.post(path, "[{\"type\":\"A\",\"type\":\"B\"}]"), "body", "Duplicate field");
        assertBad(server.post(path, "[{\"type\":\"A\"}, 7]"), "events[1]", "must be an event object");
        assertBad(server.post(path, "[{\"data\":{}}]"), "events[0].type", "is required");
        assertBad(server.post(path, "[{\"type\":5}]"), "events[0].type", "must be a string");
        assertBad(server.post(path, "[{\"type\":\"A\",\"Data\":{}}]"), "events[0].Data", "unknown field");
        assertBad(server.post(path, "[{\"type\":\"A\",\"eventId\":\"nope\"}]"), "events[0].eventId", "not a UUID");
        assertBad(
                server.post(path, "[{\"type\":\"A\",\"contentType\":\"text/plain\"}]"),
                "events[0].contentType",
                "is not application/json");
        assertBad(
                server.post(path, "[{\"type\":\"A\",\"contentType\":\"application/octet-stream\",\"data\":\"***\"}]"),
                "events[0].data",
                "base64");
        assertBad(server.post(path, "[{\"type\":\"\"}]"), "eventType", "must not be empty");
        assertThat(server.get(path).status()).isEqualTo(404); // nothing was written
    }

    @Test
    void invalidStreamNamesAreRefused() {
        assertBad(server.post("/streams/bad%01name", events(0, 1)), "stream", "control character");
        assertBad(server.post("/streams/%C3%28", events(0, 1)), "path", "does not decode to UTF-8");
        var all = server.post("/streams/$all", events(0, 1));
        assertThat(all.status()).isEqualTo(405);
        assertThat(all.header("allow")).isEqualTo("GET");
    }

    static void assertBad(HttpTestServer.Reply reply, String field, String message) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.error()).isEqualTo("invalid-argument");
        assertThat(reply.json().get("field").asText()).as(reply.toString()).isEqualTo(field);
        assertThat(reply.json().get("message").asText()).contains(message);
    }

    @Test
    void binaryEventsRoundTripAsBase64() {
        String stream = unique("bin");
        byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, '\n'};
        String base64 = Base64.getEncoder().encodeToString(bytes);
        var appended = server.post(
                "/streams/" + stream,
                "[{\"type\":\"Blob\",\"contentType\":\"application/octet-stream\",\"data\":\"" + base64
                        + "\",\"metadata\":{\"$correlationId\":\"c-1\"}}]");
        assertThat(appended.status()).isEqualTo(201);
        JsonNode event = server.get("/streams/" + stream + "/0").json();
        assertThat(event.get("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(Base64.getDecoder().decode(event.get("data").asText())).isEqualTo(bytes);
        assertThat(event.get("metadata").get("$correlationId").asText()).isEqualTo("c-1");
        assertThat(event.has("dataEncoding")).isFalse();
    }

    @Test
    void jsonEventsStoredByOtherClientsThatDoNotParseAreShownInBase64() {
        String stream = unique("raw");
        byte[] notJson = "not json {".getBytes(StandardCharsets.UTF_8);
        server.store.append(
                stream,
                io.factum.api.ExpectedVersion.any(),
                List.of(new io.factum.api.EventData(
                        UUID.randomUUID(), "Raw", notJson, new byte[0], io.factum.api.ContentType.JSON)));
        JsonNode event = server.get("/streams/" + stream + "/0").json();
        assertThat(event.get("dataEncoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(event.get("data").asText())).isEqualTo(notJson);
        assertThat(event.has("metadata")).isFalse();
    }

    @Test
    void pagesForwardsAndBackwardsFollowingNextLinks() {
        String stream = unique("paged");
        server.post("/streams/" + stream, events(0, 25));

        List<Long> forwards = new ArrayList<>();
        String next = "/streams/" + stream + "?limit=10";
        for (int pages = 0; pages < 10; pages++) {
            JsonNode page = server.get(next).json();
            page.get("events").forEach(e -> forwards.add(e.get("version").asLong()));
            next = page.get("next").asText();
            if (page.get("events").isEmpty()) {
                break;
            }
        }
        assertThat(forwards).containsExactlyElementsOf(range(0, 25));
        assertThat(next).isEqualTo("/streams/" + stream + "?from=25&direction=forwards&limit=10");

        List<Long> backwards = new ArrayList<>();
        JsonNode page = server.get("/streams/" + stream + "?direction=backwards&limit=7")
                .json();
        int pages = 1;
        while (true) {
            page.get("events").forEach(e -> backwards.add(e.get("version").asLong()));
            if (!page.has("next")) {
                break;
            }
            page = server.get(page.get("next").asText()).json();
            pages++;
        }
        assertThat(pages).isEqualTo(4);
        assertThat(backwards).containsExactlyElementsOf(range(0, 25).reversed());

        JsonNode middle = server.get("/streams/" + stream + "?from=12&direction=backwards&limit=3")
                .json();
        assertThat(middle.get("events").findValuesAsText("version")).containsExactly("12", "11", "10");
        JsonNode fromStart =
                server.get("/streams/" + stream + "?from=start&limit=2").json();
        assertThat(fromStart.get("events").findValuesAsText("version")).containsExactly("0", "1");
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void absurdReadParametersAreRefused() {
        String path = "/streams/" + unique("params");
        server.post(path, events(0, 1));
        assertBad(server.get(path + "?limit=0"), "limit", "not between 1 and 1000");
        assertBad(server.get(path + "?limit=100000"), "limit", "not between 1 and 1000");
        assertBad(server.get(path + "?limit=ten"), "limit", "not a non-negative integer");
        assertBad(server.get(path + "?from=-1"), "from", "not start, end or a non-negative integer");
        assertBad(server.get(path + "?from=99999999999999999999"), "from", "larger than");
        assertBad(server.get(path + "?direction=up"), "direction", "not forwards or backwards");
        assertBad(server.get(path + "?limit=1&limit=2"), "limit", "at most once");
        assertBad(server.get(path + "?form=1"), "form", "unknown query parameter");
    }

    @Test
    void oneEventByVersion() {
        String stream = unique("one");
        server.post("/streams/" + stream, events(0, 3));
        var event = server.get("/streams/" + stream + "/1");
        assertThat(event.status()).isEqualTo(200);
        assertThat(event.json().get("data").get("n").asInt()).isEqualTo(1);
        var missing = server.get("/streams/" + stream + "/7");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("event-not-found");
        assertThat(server.get("/streams/" + unique("nobody") + "/0").error()).isEqualTo("stream-not-found");
        assertThat(server.get("/streams/" + stream + "/nonsense").error()).isEqualTo("not-found");
    }

    @Test
    void metadataRoundTripsInKurrentFormatWithOptimisticConcurrency() {
        String stream = unique("meta");
        server.post("/streams/" + stream, events(0, 5));
        var none = server.get("/streams/" + stream + "/metadata");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.json().toString()).isEqualTo("{}");
        assertThat(none.header("Factum-Metastream-Version")).isEqualTo("-1");

        var set = server.put(
                "/streams/" + stream + "/metadata",
                "{\"$maxCount\":2,\"$acl\":{\"$r\":\"$all\"},\"owner\":\"team-a\"}",
                "Factum-Expected-Version",
                "no-stream");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.json().get("metastreamVersion").asLong()).isEqualTo(0);

        var got = server.get("/streams/" + stream + "/metadata");
        assertThat(got.json().toString())
                .isEqualTo("{\"$maxCount\":2,\"$acl\":{\"$r\":[\"$all\"]},\"owner\":\"team-a\"}");
        assertThat(got.header("Factum-Metastream-Version")).isEqualTo("0");
        // $maxCount hides all but the newest two events
        assertThat(server.get("/streams/" + stream).json().get("events").findValuesAsText("version"))
                .containsExactly("3", "4");

        var stale = server.put(
                "/streams/" + stream + "/metadata", "{\"$maxCount\":3}", "Factum-Expected-Version", "no-stream");
        assertThat(stale.status()).isEqualTo(409);
        assertBad(server.put("/streams/" + stream + "/metadata", "{\"$maxCount\":\"3\"}"), "metadata", "$maxCount");
        assertBad(server.put("/streams/" + stream + "/metadata", "[1]"), "metadata", "must be a JSON object");
        assertBad(server.put("/streams/" + stream + "/metadata", "{"), "body", "malformed JSON");
    }

    @Test
    void softDeleteHidesTheStreamAndALaterAppendContinuesItsVersions() {
        String stream = unique("soft");
        server.post("/streams/" + stream, events(0, 3));
        var wrong = server.delete("/streams/" + stream, "Factum-Expected-Version", "7");
        assertThat(wrong.status()).isEqualTo(409);
        var deleted = server.delete("/streams/" + stream, "Factum-Expected-Version", "2");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().get("hard").asBoolean()).isFalse();
        assertThat(server.get("/streams/" + stream).status()).isEqualTo(404);
        var again = server.post("/streams/" + stream, events(3, 1));
        assertThat(again.json().get("version").asLong()).isEqualTo(3);
    }

    @Test
    void tombstonedStreamsAreGoneForReadsWritesDeletesAndLiveTails() {
        String stream = unique("hard");
        server.post("/streams/" + stream, events(0, 2));
        var tombstone = server.delete("/streams/" + stream + "?hard=true");
        assertThat(tombstone.status()).isEqualTo(200);
        assertThat(tombstone.json().get("hard").asBoolean()).isTrue();
        for (var reply : List.of(
                server.get("/streams/" + stream),
                server.post("/streams/" + stream, events(2, 1)),
                server.delete("/streams/" + stream),
                server.get("/streams/" + stream + "/live"))) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(410);
            assertThat(reply.error()).isEqualTo("stream-deleted");
            assertThat(reply.json().get("stream").asText()).isEqualTo(stream);
        }
        assertBad(server.delete("/streams/" + stream + "?hard=maybe"), "hard", "not true or false");
    }

    @Test
    void oversizedBodiesGet413AndNothingIsWritten() {
        String stream = unique("big");
        String big = "[{\"type\":\"Big\",\"data\":\"" + "x".repeat(BODY_LIMIT) + "\"}]";
        var reply = server.post("/streams/" + stream, big);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.error()).isEqualTo("payload-too-large");
        assertThat(reply.json().get("message").asText()).contains(Integer.toString(BODY_LIMIT));
        assertThat(server.get("/streams/" + stream).status()).isEqualTo(404);
        // the connection that carried it was closed; the server goes on
        assertThat(server.get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void oversizedBodyAnnouncedWithExpectContinueGets413BeforeTheBodyIsSent() {
        String stream = unique("expect");
        String big = "[{\"type\":\"Big\",\"data\":\"" + "x".repeat(BODY_LIMIT) + "\"}]";
        var request = server.request("/streams/" + stream)
                .expectContinue(true)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(big))
                .build();
        var reply = server.send(request);
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.error()).isEqualTo("payload-too-large");
    }

    @Test
    void unknownResourcesAndMethodsAreJsonErrors() {
        assertThat(server.get("/nope").error()).isEqualTo("not-found");
        assertThat(server.get("/streams").error()).isEqualTo("not-found");
        assertThat(server.get("/streams/a/b/c").error()).isEqualTo("not-found");
        assertThat(server.get("/streams/$all/metadata").error()).isEqualTo("not-found");
        var put = server.put("/streams/x/live", "");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.header("allow")).isEqualTo("GET");
        var delete = server.delete("/health/live");
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.error()).isEqualTo("method-not-allowed");
    }

    @Test
    void appendsAndReadsAreCountedInMetrics() {
        double appends = server.metric("factum_appends_total{transport=\"http\",api=\"stream\"}");
        double events = server.metric("factum_appended_events_total{transport=\"http\",api=\"stream\"}");
        double read = server.metric("factum_events_read_total{transport=\"http\"}");
        String stream = unique("counted");
        server.post("/streams/" + stream, events(0, 4));
        server.get("/streams/" + stream);
        assertThat(server.metric("factum_appends_total{transport=\"http\",api=\"stream\"}"))
                .isGreaterThanOrEqualTo(appends + 1);
        assertThat(server.metric("factum_appended_events_total{transport=\"http\",api=\"stream\"}"))
                .isGreaterThanOrEqualTo(events + 4);
        assertThat(server.metric("factum_events_read_total{transport=\"http\"}"))
                .isGreaterThanOrEqualTo(read + 4);
        assertThat(server.metric("factum_store_head_position")).isGreaterThanOrEqualTo(3);
        assertThat(server.metric("jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
    }
}
