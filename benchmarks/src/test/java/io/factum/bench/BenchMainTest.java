package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return BenchMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void ceilingsRunPrintsTheFullReportAndAppendsAJsonLine() throws IOException {
        Path data = dir.resolve("data");
        Path json = dir.resolve("results/bench.jsonl");
        String[] args = {
            "ceilings",
            "--data",
            data.toString(),
            "--json",
            json.toString(),
            "--ceiling-fsync-duration",
            "100ms",
            "--ceiling-write-size",
            "4m",
            "--progress-interval",
            "100ms"
        };

        assertThat(run(args)).as(err.toString()).isZero();
        assertThat(run(args)).as(err.toString()).isZero();

        String report = out.toString();
        assertThat(report)
                .contains("=== ceilings ===")
                .contains("fsync rate")
                .contains("sequential write")
                .contains("machine: ")
                .contains("jvm: ")
                .contains("reproduce: ./factum bench ceilings --data " + data
                        + " --event-size 200 --ceiling-fsync-duration 100ms --ceiling-write-size 4m");
        assertThat(err.toString()).contains("[ceiling: fsync rate] started");
        List<String> lines = Files.readAllLines(json);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .startsWith("{\"scenario\":\"ceilings\",")
                .contains("\"ceilings\":{\"fsyncOpsPerSec\":")
                .contains("\"environment\":{")
                .endsWith("\"command\":\"./factum bench ceilings --data " + data
                        + " --event-size 200 --ceiling-fsync-duration 100ms --ceiling-write-size 4m\"}");
        // The run directories were deleted; the --data directory itself stays.
        try (var left = Files.list(data)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void keepLeavesTheRunDirectory() throws IOException {
        Path data = dir.resolve("data");

        int code = run(
                "ceilings",
                "--data",
                data.toString(),
                "--keep",
                "--ceiling-fsync-duration",
                "50ms",
                "--ceiling-write-size",
                "1m");

        assertThat(code).as(err.toString()).isZero();
        try (var left = Files.list(data)) {
            assertThat(left).hasSize(1).allMatch(p -> p.getFileName().toString().startsWith("run-"));
        }
        assertThat(err.toString()).contains("kept run directory");
    }

    @Test
    void badOptionsExitWithTwoAndSayWhy() {
        assertThat(run("append", "--writers", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--writers 0 must be >= 1");
    }

    @Test
    void anUnknownOptionIsOneLine() {
        assertThat(run("append", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString().lines())
                .singleElement()
                .asString()
                .startsWith("factum: ")
                .contains("--no-such-option")
                .contains("'factum bench append --help'");
    }

    @Test
    void aDataDirectoryThatIsAFileFailsInOneLineAndWithATraceOnlyWithDebug() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        String[] args = {"ceilings", "--data", file.toString(), "--ceiling-fsync-duration", "100ms"};

        assertThat(run(args)).isEqualTo(1);
        assertThat(err.toString().lines().filter(line -> line.startsWith("factum: ")))
                .singleElement()
                .asString()
                .startsWith("factum: bench failed: ")
                .contains(file.toString());
        assertThat(err.toString()).doesNotContain("\tat ");

        err.getBuffer().setLength(0);
        String[] debug = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(args), java.util.stream.Stream.of("--debug"))
                .toArray(String[]::new);
        assertThat(run(debug)).isEqualTo(1);
        assertThat(err.toString()).contains("\tat ");
    }

    @Test
    void everyScenarioTakesTheHelpOptionItsErrorsPointTo() {
        assertThat(run("dcb", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: factum bench dcb", "--load-append-size");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void noScenarioListsThem() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("append, append-batch, read-all");
    }

    @Test
    void helpNamesEveryScenario() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString())
                .contains(
                        "ceilings",
                        "append",
                        "append-batch",
                        "read-all",
                        "read-stream",
                        "subscribe",
                        "restart",
                        "index-memory",
                        "all");
    }
}
