package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DCB endpoints over real HTTP on loopback: conditional append, read by query, live by query. */
class HttpDcbTest {

    @TempDir
    static Path dir;

    static HttpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = HttpTestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String append(String stream, String type, String tag, String condition) {
        return "{\"appends\":[{\"stream\":\"" + stream + "\",\"expectedVersion\":\"any\",\"events\":[{\"type\":\""
                + type + "\",\"data\":{\"n\":1},\"tags\":[\"" + tag + "\"]}]}]"
                + (condition == null ? "" : ",\"condition\":" + condition) + "}";
    }

    static String tagQuery(String tag) {
        return "{\"items\":[{\"tags\":[\"" + tag + "\"]}]}";
    }

    @Test
    void aConditionalAppendReadsBackAndAConflictIs409WithThePosition() {
        double appendsBefore = server.metric("factum_appends_total{transport=\"http\",api=\"dcb\"}");
        var first = server.post(
                "/dcb/append",
                "{\"appends\":[{\"stream\":\"h-course-1\",\"expectedVersion\":\"no-stream\",\"events\":"
                        + "[{\"type\":\"CourseDefined\",\"tags\":[\"course:h1\"]}]},"
                        + "{\"stream\":\"h-student-1\",\"events\":[{\"type\":\"Subscribed\","
                        + "\"tags\":[\"course:h1\",\"student:h1\"]}]}],"
                        + "\"condition\":{\"query\":" + tagQuery("course:h1") + ",\"afterPosition\":-1}}");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        JsonNode results = first.json().get("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(1).get("stream").asText()).isEqualTo("h-student-1");
        long conflicting = results.get(0).get("position").asLong();

        var read = server.post("/dcb/read", "{\"query\":" + tagQuery("course:h1") + "}");
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        List<String> types = new ArrayList<>();
        read.json().get("events").forEach(e -> types.add(e.get("type").asText()));
        assertThat(types).containsExactly("CourseDefined", "Subscribed");
        assertThat(read.json().get("events").get(1).get("tags").toString()).isEqualTo("[\"course:h1\",\"student:h1\"]");
        long head = read.json().get("headPosition").asLong();
        assertThat(head).isEqualTo(server.store.headPosition());

        var backwards = server.post(
                "/dcb/read", "{\"query\":" + tagQuery("course:h1") + ",\"direction\":\"backwards\",\"limit\":1}");
        assertThat(backwards.json().get("events")).hasSize(1);
        assertThat(backwards.json().get("events").get(0).get("type").asText()).isEqualTo("Subscribed");

        var conflict = server.post(
                "/dcb/append",
                append(
                        "h-course-2",
                        "CourseDefined",
                        "course:h1",
                        "{\"query\":" + tagQuery("course:h1") + ",\"afterPosition\":-1}"));
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.error()).isEqualTo("append-condition-failed");
        assertThat(conflict.json().get("conflictingPosition").asLong()).isEqualTo(conflicting);
        assertThat(server.store.headPosition()).isEqualTo(head);

        var fresh = server.post(
                "/dcb/append",
                append(
                        "h-course-1",
                        "CourseRenamed",
                        "course:h1",
                        "{\"query\":" + tagQuery("course:h1") + ",\"afterPosition\":" + head + "}"));
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(server.metric("factum_appends_total{transport=\"http\",api=\"dcb\"}"))
                .isEqualTo(appendsBefore + 2);
        assertThat(
                        server.metric(
                                "factum_append_failures_total{transport=\"http\",api=\"dcb\",reason=\"append-condition-failed\"}"))
                .isEqualTo(1);
    }

    @Test
    void badInputIs400NamingTheFieldAndChangesNothing() {
        long head = server.store.headPosition();
        assertThat(server.post("/dcb/read", "{\"query\":{\"items\":[]}}")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("query.items");
        assertThat(server.post("/dcb/read", "{\"query\":{\"items\":[{}]}}")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("query.items[0]");
        assertThat(server.post("/dcb/append", "{\"appends\":[]}")
                        .json()
                        .get("field")
                        .asText())
                .isEqualTo("appends");
        var badExpected = server.post(
                "/dcb/append", "{\"appends\":[{\"stream\":\"h-bad\",\"expectedVersion\":\"soon\",\"events\":[]}]}");
        assertThat(badExpected.status()).isEqualTo(400);
        assertThat(badExpected.json().get("field").asText()).isEqualTo("appends[0].expectedVersion");
        var badCondition = server.post(
                "/dcb/append", append("h-bad", "T", "x", "{\"query\":" + tagQuery("x") + ",\"afterPosition\":-2}"));
        assertThat(badCondition.json().get("field").asText()).isEqualTo("condition.afterPosition");
        var badTags = server.post(
                "/dcb/append", "{\"appends\":[{\"stream\":\"h-bad\",\"events\":[{\"type\":\"T\",\"tags\":\"x\"}]}]}");
        assertThat(badTags.json().get("field").asText()).isEqualTo("appends[0].events[0].tags");
        assertThat(server.get("/dcb/live").status()).isEqualTo(400);
        assertThat(server.get("/dcb/read").status()).isEqualTo(405);
        assertThat(server.store.headPosition()).isEqualTo(head);
    }

    @Test
    void theLiveTailByQueryCatchesUpThenFollowsMatchesWithPositionIds() throws Exception {
        server.post("/dcb/append", append("h-live-1", "Seen", "live:h", null));
        server.post("/dcb/append", append("h-live-1", "Other", "live:other", null));
        SseClient sse = SseClient.open(
                server.client,
                server.request("/dcb/live?tag=live:h&from=start").GET().build());
        assertThat(sse.status()).isEqualTo(200);
        var first = sse.next("event", Duration.ofSeconds(30));
        assertThat(HttpTestServer.JSON.readTree(first.data()).get("type").asText())
                .isEqualTo("Seen");
        assertThat(first.id())
                .isEqualTo(HttpTestServer.JSON
                        .readTree(first.data())
                        .get("position")
                        .asText());
        sse.next("caught-up", Duration.ofSeconds(30));
        server.post("/dcb/append", append("h-live-2", "Ignored", "live:other", null));
        server.post("/dcb/append", append("h-live-2", "Later", "live:h", null));
        var live = sse.next("event", Duration.ofSeconds(30));
        assertThat(HttpTestServer.JSON.readTree(live.data()).get("type").asText())
                .isEqualTo("Later");
    }
}
