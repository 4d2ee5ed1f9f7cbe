package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.engine.DataDirectoryLockedException;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.engine.EngineStats;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in-process against a real {@link EmbeddedEventStore} in a temporary data directory: each
 * invocation opens and closes the store, as separate {@code factum} runs would.
 */
class FactumCliEndToEndTest {

    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dataDir;

    private final CliHarness cli = new CliHarness(new EmbeddedStoreOpener());

    private CliHarness.Run factum(String... args) {
        return factumWithStdin("", args);
    }

    private CliHarness.Run factumWithStdin(String stdin, String... args) {
        String[] withData = Arrays.copyOf(args, args.length + 2);
        withData[args.length] = "--data";
        withData[args.length + 1] = dataDir.toString();
        CliHarness.Run run = cli.runWithStdin(stdin, withData);
        return run;
    }

    private static CliHarness.Run ok(CliHarness.Run run) {
        assertThat(run.exitCode).as(run.toString()).isZero();
        return run;
    }

    @Test
    void appendReadAndReadAll() {
        assertThat(ok(factum("append", "orders-1", "--type", "OrderPlaced", "{\"total\": 42}"))
                        .outLines())
                .containsExactly("appended 1 event to 'orders-1': version 0, position 0");
        String lines = "{\"type\": \"OrderPaid\", \"data\": {\"amount\": 42}}\n"
                + "{\"type\": \"OrderShipped\", \"data\": {}, \"metadata\": {\"$correlationId\": \"c-1\"}}\n";
        assertThat(ok(factumWithStdin(lines, "append", "orders-1", "--expected-version", "0"))
                        .outLines())
                .containsExactly("appended 2 events to 'orders-1': versions 1..2, positions 1..2");

        List<String> table = ok(factum("read", "orders-1")).outLines();
        assertThat(table).hasSize(4);
        assertThat(table.getFirst()).startsWith("POSITION  STREAM    VERSION  TYPE");
        assertThat(table.get(1)).contains("orders-1", "OrderPlaced", "{\"total\":42}");

        List<String> json = ok(factum("--json", "read", "orders-1", "--backwards", "--limit", "1"))
                .outLines();
        assertThat(json)
                .singleElement()
                .asString()
                .contains("\"version\":2", "\"type\":\"OrderShipped\"", "\"metadata\":{\"$correlationId\":\"c-1\"}");

        assertThat(ok(factum("--json", "read-all", "--type-prefix", "OrderP")).outLines())
                .extracting(line -> line.substring(0, line.indexOf(',')))
                .containsExactly("{\"position\":0", "{\"position\":1");
    }

    @Test
    void conflictsAreReportedWithExpectedAndActual() {
        ok(factum("append", "s", "--type", "T", "{}"));

        CliHarness.Run run = factum("append", "s", "--type", "T", "--expected-version", "no-stream", "{}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines())
                .containsExactly("factum: wrong expected version for stream 's': expected no stream, actual 0");
    }

    @Test
    void metadataSoftDeleteAndTombstone() {
        ok(factum("append", "s", "--type", "T", "{}"));
        ok(factum("append", "s", "--type", "T", "{}"));
        ok(factum("metadata", "s", "--max-count", "1", "--set", "{\"owner\": \"billing\"}"));

        assertThat(ok(factum("metadata", "s")).outLines())
                .contains("max count        1", "custom           {\"owner\":\"billing\"}");
        assertThat(ok(factum("--json", "read", "s")).outLines())
                .singleElement()
                .asString()
                .contains("\"version\":1");

        ok(factum("delete", "s"));
        assertThat(factum("read", "s").exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(ok(factum("append", "s", "--type", "T", "{}")).outLines().getFirst())
                .contains("version 2");

        ok(factum("delete", "s", "--hard"));
        CliHarness.Run read = factum("read", "s");
        assertThat(read.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(read.errLines()).singleElement().asString().contains("deleted (tombstoned)");
        assertThat(ok(factum("read-all", "--backwards", "--limit", "1"))
                        .outLines()
                        .get(1))
                .contains("tombstone", "$streamDeleted");
    }

    @Test
    void statsAndVerifyOfASoundStore() throws Exception {
        ok(factum("append", "a", "--type", "T", "{}"));
        ok(factum("append", "b", "--type", "T", "{}"));

        assertThat(ok(factum("--json", "stats")).outLines())
                .singleElement()
                .asString()
                .contains("\"headPosition\":1", "\"eventCount\":2");
        CliHarness.Run verify = ok(factum("verify"));
        assertThat(verify.outLines()).last().isEqualTo("OK: no damage found");

        VerifyReport direct = EmbeddedEventStore.verify(dataDir);
        assertThat(direct.ok()).isTrue();
        try (EmbeddedEventStore store = EmbeddedEventStore.open(EngineOptions.defaults(dataDir))) {
            EngineStats stats = store.stats();
            assertThat(stats.eventCount()).isEqualTo(2);
        }
    }

    @Test
    void verifyReportsAFlippedByteAndExitsOne() throws IOException {
        ok(factum("append", "s", "--type", "T", "{\"marker\": \"needle-5c1e\"}"));
        Path segment = fileContaining("needle-5c1e");
        byte[] bytes = Files.readAllBytes(segment);
        int at = indexOf(bytes, "needle-5c1e".getBytes(StandardCharsets.UTF_8));
        bytes[at] ^= 0x20;
        Files.write(segment, bytes);

        CliHarness.Run run = factum("verify");

        assertThat(run.exitCode).as(run.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).startsWith("DAMAGED: "));
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line)
                .contains(segment.getFileName().toString()));
        assertThat(run.errLines()).singleElement().asString().contains("is damaged");
    }

    @Test
    void aLockedDataDirectoryIsReported() throws IOException {
        try (EmbeddedEventStore held = EmbeddedEventStore.open(EngineOptions.defaults(dataDir))) {
            CliHarness.Run run = factum("append", "s", "--type", "T", "{}");

            assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
            assertThat(run.errLines())
                    .containsExactly("factum: " + new DataDirectoryLockedException(dataDir).getMessage());
            assertThat(held.headPosition()).as("nothing was appended").isEqualTo(-1);
        }
    }

    @Test
    void tailShowsStoredThenLiveEvents() throws Exception {
        ok(factum("append", "s", "--type", "Stored", "{}"));
        CapturingOpener opener = new CapturingOpener();
        CliHarness tailCli = new CliHarness(opener);
        CliHarness.Run run = new CliHarness.Run();

        CompletableFuture<Void> tail = CompletableFuture.runAsync(() -> run.exitCode = FactumCli.run(
                tailCli.context(run, ""),
                "--json",
                "tail",
                "s",
                "--from-start",
                "--limit",
                "3",
                "--data",
                dataDir.toString()));
        assertThat(opener.opened.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        opener.store.append("s", ExpectedVersion.any(), List.of(EventData.json("Live1", "{}")));
        opener.store.append("other", ExpectedVersion.any(), List.of(EventData.json("Elsewhere", "{}")));
        opener.store.append("s", ExpectedVersion.any(), List.of(EventData.json("Live2", "{}")));
        tail.get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).hasSize(3);
        assertThat(run.outLines().get(0)).contains("\"type\":\"Stored\"");
        assertThat(run.outLines().get(1)).contains("\"type\":\"Live1\"");
        assertThat(run.outLines().get(2)).contains("\"type\":\"Live2\"");
    }

    private Path fileContaining(String marker) throws IOException {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> matches = files.filter(Files::isRegularFile)
                    .filter(file -> {
                        try {
                            return indexOf(Files.readAllBytes(file), needle) >= 0;
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .toList();
            assertThat(matches)
                    .as("the event's bytes are in one file of the log")
                    .hasSize(1);
            return matches.getFirst();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
