package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.testkit.SmallDisk;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: {@code factum server} runs in a child JVM whose data directory is on a 4 MiB
 * tmpfs ({@link SmallDisk}). The test appends over HTTP until the kernel says "No space left on
 * device", then checks that the server went read-only and not down: every acknowledged event
 * reads back, writes are refused naming the cause, {@code /health/ready} answers 503 "read-only:
 * ...", {@code /health/live} 200, and the metric {@code factum_store_read_only} is 1.
 */
class FullDiskTest {
    private static final long DISK_BYTES = 4L << 20;

    /** About 32 KiB per append: the disk fills in about 130 appends. */
    private static final int PAYLOAD_CHARS = 32 * 1024;

    /** Far more appends than the disk holds; reaching it means the disk never filled. */
    private static final int MAX_APPENDS = (int) (4 * DISK_BYTES / PAYLOAD_CHARS);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @TempDir
    Path dir;

    private int port;

    @BeforeAll
    static void needsASmallDisk() {
        SmallDisk.requireAvailable();
    }

    @Test
    void aFullDiskMakesTheServerReadOnlyAndEveryAcknowledgedEventStaysReadable() throws Exception {
        Path mount = Files.createDirectories(dir.resolve("disk"));
        try (ServerProcess server = ServerProcess.start(
                mount.resolve("data"), 0, Map.of(), command -> SmallDisk.wrap(mount, DISK_BYTES, command))) {
            port = server.port();
            assertThat(get("/health/ready").statusCode()).isEqualTo(200);

            List<Long> acknowledged = new ArrayList<>();
            HttpResponse<String> refused = fillTheDisk(acknowledged);
            assertThat(acknowledged).as("the disk held some appends first").hasSizeGreaterThan(10);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("read-only").contains("No space left on device");

            assertThat(readStream("fill")).as(server.output()).isEqualTo(acknowledged);
            assertWritesRefused();
            assertReportsReadOnly();
            assertThat(server.isAlive()).isTrue();
        }
    }

    /** Appends one large event at a time until one is refused; returns that refusal. */
    private HttpResponse<String> fillTheDisk(List<Long> acknowledged) throws Exception {
        String body = "[{\"type\":\"Filler\",\"data\":{\"x\":\"" + "x".repeat(PAYLOAD_CHARS) + "\"}}]";
        for (int i = 0; i < MAX_APPENDS; i++) {
            HttpResponse<String> reply = post("/streams/fill", body);
            if (reply.statusCode() != 201) {
                return reply;
            }
            acknowledged.add(JSON.readTree(reply.body()).get("position").asLong());
        }
        throw new AssertionError("the " + DISK_BYTES + "-byte disk took " + MAX_APPENDS + " appends without filling");
    }

    /** Every event of the stream, page by page, as positions. */
    private List<Long> readStream(String stream) throws Exception {
        List<Long> positions = new ArrayList<>();
        long from = 0;
        while (true) {
            HttpResponse<String> page = get("/streams/" + stream + "?from=" + from + "&limit=50");
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            JsonNode events = JSON.readTree(page.body()).get("events");
            if (events.isEmpty()) {
                return positions;
            }
            for (JsonNode event : events) {
                positions.add(event.get("position").asLong());
                from = event.get("version").asLong() + 1;
            }
        }
    }

    private void assertWritesRefused() throws Exception {
        HttpResponse<String> small = post("/streams/other", "[{\"type\":\"Small\",\"data\":{}}]");
        assertThat(small.statusCode()).isEqualTo(503);
        assertThat(small.body())
                .contains("read-only")
                .contains("the log failed: No space left on device") // writing or syncing
                .contains("reopened with the cause fixed");
    }

    private void assertReportsReadOnly() throws Exception {
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("message").asText())
                .startsWith("read-only: ")
                .contains("No space left on device");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(get("/info").body()).get("state").asText()).isEqualTo("read-only");
        assertThat(get("/metrics").body())
                .contains("\nfactum_store_read_only 1\n")
                .contains("\nfactum_up 1\n");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
    }
}
