package io.factum.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.server.ServerLimits;
import io.factum.server.security.ServerSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every curl example of {@code docs/http-api.md}, in order, against a fresh server, and checks
 * that it succeeds and prints what the document shows.
 *
 * <p>An example is a {@code sh} block whose first line starts with {@code curl}; a {@code json} or
 * {@code text} block right after it (only blank lines between) is its output. JSON outputs are
 * compared as JSON (layout free); a string value {@code "…"} in the document stands for any value
 * (ids and times that differ per run). Text outputs are compared line by line. {@code
 * localhost:2113} becomes the test server's port. The store's clock is fixed, so event timestamps
 * are the document's. Run with {@code -Dfactum.docs.print=true} to print every actual output.
 */
class HttpDocsTest {

    static final Path DOC = Path.of("..", "docs", "http-api.md");
    static final Instant DOC_TIME = Instant.parse("2025-06-01T12:00:00Z");
    static final String ANY = "…";

    @TempDir
    Path dir;

    record Block(String lang, String text, int line, int end) {}

    record Example(int line, String command, Optional<Block> output) {}

    @Test
    void everyCurlExampleRunsAndPrintsWhatTheDocumentShows() throws Exception {
        List<Example> examples = examples(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        assertThat(examples).as("curl examples in " + DOC).hasSizeGreaterThan(20);
        Clock clock = Clock.fixed(DOC_TIME, ZoneOffset.UTC);
        List<String> failures = new ArrayList<>();
        boolean print = Boolean.getBoolean("factum.docs.print");
        try (var server = HttpTestServer.start(
                dir, ServerSecurity.disabled(), HttpOptions.defaults(), ServerLimits.defaults(), clock)) {
            for (Example example : examples) {
                assertThat(example.command()).as("line " + example.line()).contains("localhost:2113");
                String command = example.command().replace("localhost:2113", "localhost:" + server.port());
                Run run = run(command);
                if (print) {
                    System.out.println("=== line " + example.line() + " (exit " + run.exit() + ")\n" + run.stdout());
                }
                check(example, run).ifPresent(failures::add);
            }
        }
        assertThat(failures).as("examples that failed").isEmpty();
    }

    /** The sh blocks starting with curl, each with the output block that follows it, if any. */
    static List<Example> examples(List<String> lines) {
        List<Block> blocks = blocks(lines);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            if (!block.lang().equals("sh") || !block.text().stripLeading().startsWith("curl")) {
                continue;
            }
            Optional<Block> output = Optional.empty();
            if (i + 1 < blocks.size()) {
                Block next = blocks.get(i + 1);
                boolean adjacent =
                        lines.subList(block.end() + 1, next.line() - 1).stream().allMatch(String::isBlank);
                if (adjacent && (next.lang().equals("json") || next.lang().equals("text"))) {
                    output = Optional.of(next);
                }
            }
            examples.add(new Example(block.line(), block.text(), output));
        }
        return examples;
    }

    /** Fenced blocks; {@code line} is the 1-based line of the opening fence, {@code end} its closing. */
    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("```")) {
                continue;
            }
            String lang = line.substring(3).trim();
            int start = i;
            var text = new StringBuilder();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                text.append(lines.get(i)).append('\n');
            }
            blocks.add(new Block(lang, text.toString(), start + 1, i));
        }
        return blocks;
    }

    record Run(int exit, String stdout, String stderr) {}

    static Run run(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).start();
        process.getOutputStream().close();
        byte[][] out = new byte[2][];
        Thread readOut = Thread.ofVirtual().start(() -> out[0] = readAll(process.getInputStream()));
        Thread readErr = Thread.ofVirtual().start(() -> out[1] = readAll(process.getErrorStream()));
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after 20 s: " + command);
        }
        readOut.join();
        readErr.join();
        return new Run(
                process.exitValue(),
                new String(out[0], StandardCharsets.UTF_8),
                new String(out[1], StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return ("(unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A failure description, or empty when the example behaved as documented. */
    static Optional<String> check(Example example, Run run) {
        // curl's --max-time ends a live tail on purpose: exit 28 is then the expected way out.
        boolean timedOutOnPurpose = run.exit() == 28 && example.command().contains("--max-time");
        if (run.exit() != 0 && !timedOutOnPurpose) {
            return Optional.of(describe(example, run, "exit code " + run.exit()));
        }
        if (example.output().isEmpty()) {
            return Optional.empty();
        }
        Block expected = example.output().get();
        boolean same = expected.lang().equals("json")
                ? sameJson(expected.text(), run.stdout())
                : normalize(expected.text()).equals(normalize(run.stdout()));
        return same
                ? Optional.empty()
                : Optional.of(describe(example, run, "output differs from line " + expected.line()));
    }

    private static String describe(Example example, Run run, String problem) {
        return "line " + example.line() + ": " + problem + "\n$ " + example.command() + "--- stdout:\n" + run.stdout()
                + "--- stderr:\n" + run.stderr();
    }

    static String normalize(String text) {
        var out = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            out.append(line.stripTrailing()).append('\n');
        }
        return out.toString().strip();
    }

    static boolean sameJson(String expected, String actual) {
        try {
            return matches(HttpTestServer.JSON.readTree(expected), HttpTestServer.JSON.readTree(actual));
        } catch (IOException e) {
            return false;
        }
    }

    /** Equality where an expected "…" string matches any value. */
    static boolean matches(JsonNode expected, JsonNode actual) {
        if (expected.isTextual() && expected.textValue().equals(ANY)) {
            return true;
        }
        if (expected.isObject() && actual.isObject()) {
            if (expected.size() != actual.size()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!actual.has(field.getKey()) || !matches(field.getValue(), actual.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray() && actual.isArray()) {
            if (expected.size() != actual.size()) {
                return false;
            }
            for (int i = 0; i < expected.size(); i++) {
                if (!matches(expected.get(i), actual.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return expected.equals(actual);
    }

    @Test
    void theComparisonCanFail() {
        assertThat(matches(json("{\"a\":1}"), json("{\"a\":2}"))).isFalse();
        assertThat(matches(json("{\"a\":1}"), json("{\"a\":1,\"b\":2}"))).isFalse();
        assertThat(matches(json("{\"a\":\"…\"}"), json("{\"a\":{\"x\":1}}"))).isTrue();
        assertThat(matches(json("[1,2]"), json("[2,1]"))).isFalse();
        assertThat(normalize("a  \r\nb\n")).isEqualTo(normalize("a\nb"));
        assertThat(check(new Example(1, "curl x", Optional.empty()), new Run(7, "", "")))
                .isPresent();
        assertThat(check(new Example(1, "curl --max-time 1 x", Optional.empty()), new Run(28, "", "")))
                .isEmpty();
    }

    private static JsonNode json(String text) {
        try {
            return HttpTestServer.JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
