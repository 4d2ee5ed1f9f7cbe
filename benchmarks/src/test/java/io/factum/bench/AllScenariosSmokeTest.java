package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every scenario runs end to end against the real engine at toy sizes: it completes, its own
 * checks (no lost event, subscriber got everything) hold, and it reports. Speed is not looked at.
 */
class AllScenariosSmokeTest {

    @TempDir
    Path dir;

    @Test
    void allScenariosRunAndReportAtToySizes() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path json = dir.resolve("results.jsonl");

        int code = BenchMain.run(
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                "all",
                "--duration",
                "300ms",
                "--events",
                "3000",
                "--data",
                dir.resolve("data").toString(),
                "--json",
                json.toString(),
                "--ceiling-fsync-duration",
                "50ms",
                "--ceiling-write-size",
                "1m",
                "--progress-interval",
                "1s");

        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(json);
        assertThat(lines)
                .extracting(l -> l.substring(0, l.indexOf(',')))
                .containsExactly(
                        "{\"scenario\":\"ceilings\"",
                        "{\"scenario\":\"append\"",
                        "{\"scenario\":\"append-batch\"",
                        "{\"scenario\":\"read-all\"",
                        "{\"scenario\":\"read-stream\"",
                        "{\"scenario\":\"subscribe\"",
                        "{\"scenario\":\"restart\"",
                        "{\"scenario\":\"index-memory\"",
                        "{\"scenario\":\"dcb\"");
        assertThat(lines).allSatisfy(l -> assertThat(l).contains("\"command\":\"./factum bench "));
        assertThat(out.toString())
                .contains("events/s ÷ fsync ceiling (group-commit gain)")
                .contains("log MB/s ÷ sequential-write ceiling")
                .contains("records indexed by the rebuild")
                .contains("EXTRAPOLATED heap, 100M events")
                .contains("conditional ÷ unconditional");
        try (var left = Files.list(dir.resolve("data"))) {
            assertThat(left).as("run directory deleted").isEmpty();
        }
    }
}
