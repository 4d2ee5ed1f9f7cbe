package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The official Node.js clients, {@code @kurrent/kurrentdb-client} and {@code @eventstore/db-client},
 * installed from npm and run with {@code node} against a live server on loopback (TLS off). One
 * script ({@code node-clients/check.js}) appends a batch with an expectation, retries it (an
 * idempotent no-op), subscribes from the start while one more event is appended, provokes a
 * wrong-expected-version error, then reads the stream both ways and {@code $all}; it prints what
 * it saw and this test checks every part.
 *
 * <p>The packages are installed once into {@code target/node-clients} and reused by later runs.
 * Without {@code node} or {@code npm} the test is skipped with the reason, except when {@code
 * CI=true}: there a missing tool is a failure, so the claim in the README cannot go untested.
 */
class NodeClientsTest {

    /** Pinned so that a run tests what the README names; raise them deliberately. */
    static final List<String> PACKAGES = List.of("@kurrent/kurrentdb-client@1.3.1", "@eventstore/db-client@6.2.1");

    /** Within JUnit's default timeout (5 min, root pom) that also bounds the install in @BeforeAll. */
    private static final long INSTALL_MINUTES = 4;

    private static final long SCRIPT_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path nodeDir;
    static Path script;
    static ServerProcess server;

    @BeforeAll
    static void installAndStart() throws Exception {
        requireTool("node", "--version");
        requireTool("npm", "--version");
        nodeDir = Path.of("target", "node-clients").toAbsolutePath();
        Files.createDirectories(nodeDir);
        if (!installed()) {
            List<String> command = new ArrayList<>(
                    List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", nodeDir.toString()));
            command.addAll(PACKAGES);
            Run install = run(command, INSTALL_MINUTES * 60);
            assertThat(install.exit())
                    .as("npm install failed:\n%s", install.output())
                    .isZero();
            assertThat(installed())
                    .as("npm install left no packages:\n%s", install.output())
                    .isTrue();
        }
        script = nodeDir.resolve("check.js");
        try (InputStream in = NodeClientsTest.class.getResourceAsStream("/node-clients/check.js")) {
            assertThat(in).as("the script resource").isNotNull();
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        server = ServerProcess.start(Files.createTempDirectory("factum-node-clients"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"@kurrent/kurrentdb-client, kurrentdb", "@eventstore/db-client, esdb"})
    void theOfficialNodeClientAppendsReadsAndSubscribes(String pkg, String scheme) throws Exception {
        String stream = "node-" + UUID.randomUUID();
        Run run = run(
                List.of(
                        "node",
                        script.toString(),
                        nodeDir.resolve("node_modules").resolve(pkg).toString(),
                        server.connectionString(scheme),
                        stream),
                SCRIPT_SECONDS);
        assertThat(run.exit())
                .as("the %s script failed:\n%s\n--- server output ---\n%s", pkg, run.output(), server.output())
                .isZero();
        String last = run.output().strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode seen = JSON.readTree(last);

        assertThat(seen.at("/appended/success").asBoolean()).isTrue();
        assertThat(seen.at("/appended/next").asText()).isEqualTo("2");
        assertThat(seen.at("/retried/success").asBoolean()).isTrue();
        assertThat(seen.at("/retried/next").asText()).as("an idempotent retry").isEqualTo("2");

        JsonNode forwards = seen.get("forwards");
        assertThat(forwards).as(last).hasSize(4);
        for (int i = 0; i < 4; i++) {
            JsonNode e = forwards.get(i);
            assertThat(e.get("revision").asInt()).isEqualTo(i);
            assertThat(e.get("type").asText()).isEqualTo("NodeEvent");
            assertThat(e.get("i").asInt()).isEqualTo(i + 1);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(forwards.get(i).get("id").asText())
                    .isEqualTo(seen.get("ids").get(i).asText());
            assertThat(forwards.get(i).get("correlation").asText()).isEqualTo("node");
        }
        assertThat(revisions(seen.get("backwards"))).containsExactly(3, 2);

        JsonNode all = seen.get("all");
        assertThat(revisions(all, "revision")).as("$all holds each event once").containsExactly(0, 1, 2, 3);
        List<Long> commits = new ArrayList<>();
        all.forEach(e -> commits.add(Long.parseUnsignedLong(e.get("commit").asText())));
        assertThat(commits).isSorted().doesNotHaveDuplicates();

        assertThat(revisions(seen.get("subscribed"))).as("catch-up then live").containsExactly(0, 1, 2, 3);
        assertThat(seen.at("/conflict/name").asText()).isEqualTo("WrongExpectedVersionError");
        assertThat(seen.at("/conflict/actual").asText()).isEqualTo("3");
    }

    private static List<Integer> revisions(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static List<Integer> revisions(JsonNode array, String field) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asInt()));
        return out;
    }

    private static boolean installed() {
        return PACKAGES.stream().allMatch(p -> {
            String name = p.substring(0, p.lastIndexOf('@'));
            return Files.isRegularFile(
                    nodeDir.resolve("node_modules").resolve(name).resolve("package.json"));
        });
    }

    /** Skips (or under CI fails) with the reason when the tool does not run. */
    private static void requireTool(String tool, String versionFlag) {
        String reason;
        try {
            Run version = run(List.of(tool, versionFlag), 60);
            if (version.exit() == 0) {
                return;
            }
            reason = tool + " " + versionFlag + " exited with " + version.exit() + ": " + version.output();
        } catch (IOException e) {
            reason = tool + " is not installed (" + e.getMessage() + ")";
        }
        String message = "the Node.js client tests need node and npm: " + reason;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message);
        }
        Assumptions.abort(message);
    }

    record Run(int exit, String output) {}

    private static Run run(List<String> command, long timeoutSeconds) throws IOException {
        Path log = Files.createTempFile("factum-node-", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean ended;
            try {
                ended = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command, e);
            }
            if (!ended) {
                process.destroyForcibly();
                return new Run(-1, "timed out after " + timeoutSeconds + " s: " + command + "\n" + read(log));
            }
            return new Run(process.exitValue(), read(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
