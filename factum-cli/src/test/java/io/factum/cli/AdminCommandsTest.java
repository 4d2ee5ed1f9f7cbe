package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamMetadata;
import io.factum.engine.CorruptStoreException;
import io.factum.engine.DataDirectoryLockedException;
import io.factum.engine.EngineStats;
import io.factum.engine.FlushLatency;
import io.factum.engine.VerifyReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metadata}, {@code delete}, {@code verify}, {@code stats}, and how failures are reported. */
class AdminCommandsTest {

    @TempDir
    Path dataDir;

    private final FakeEventStore store = new FakeEventStore();
    private final FakeStoreOpener opener = new FakeStoreOpener(store);
    private final CliHarness cli = new CliHarness(opener);

    private CliHarness.Run cli(String... args) {
        String[] withData = new String[args.length + 2];
        System.arraycopy(args, 0, withData, 0, args.length);
        withData[args.length] = "--data";
        withData[args.length + 1] = dataDir.toString();
        return cli.run(withData);
    }

    private void append(String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(stream, ExpectedVersion.any(), List.of(EventData.json("E", "{}")));
        }
    }

    @Test
    void showsEmptyMetadata() {
        CliHarness.Run run = cli("metadata", "s");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .containsExactly(
                        "stream           s",
                        "metastream       none (no metadata set)",
                        "max count        -",
                        "max age          -",
                        "truncate before  -",
                        "cache control    -",
                        "acl              -",
                        "custom           {}");
    }

    @Test
    void changesSomeKeysAndKeepsTheRest() {
        assertThat(cli("metadata", "s", "--set", "{\"$maxCount\": 5, \"owner\": \"billing\"}").exitCode)
                .isZero();

        CliHarness.Run run = cli("metadata", "s", "--max-age", "1d12h", "--truncate-before", "3");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .containsExactly(
                        "metadata of 's' set",
                        "stream           s",
                        "metastream       $$s, version 1",
                        "max count        5",
                        "max age          1d12h (129600 s)",
                        "truncate before  3",
                        "cache control    -",
                        "acl              -",
                        "custom           {\"owner\":\"billing\"}");
        store.reopen();
        StreamMetadata stored = store.getStreamMetadata("s").metadata();
        assertThat(stored.maxAge()).contains(Duration.ofHours(36));
        assertThat(stored.maxCount()).hasValue(5);
    }

    @Test
    void metadataAsKurrentDbJson() {
        cli(
                "metadata",
                "s",
                "--set",
                "{\"$maxAge\": 60, \"$tb\": 2, \"$cacheControl\": 5, \"$acl\": {\"$r\": \"$all\", \"$w\": [\"a\", \"b\"]},"
                        + " \"x\": {\"y\": [1]}}");

        CliHarness.Run run = cli("--json", "metadata", "s");

        assertThat(run.outLines())
                .containsExactly("{\"stream\":\"s\",\"metastreamVersion\":0,\"metadata\":"
                        + "{\"$maxAge\":60,\"$tb\":2,\"$cacheControl\":5,\"$acl\":{\"$r\":[\"$all\"],\"$w\":[\"a\",\"b\"]},"
                        + "\"x\":{\"y\":[1]}}}");
        assertThat(cli("metadata", "s").outLines())
                .contains("acl              {\"$r\":[\"$all\"],\"$w\":[\"a\",\"b\"]}");
    }

    @Test
    void badMetadataIsAUsageError() {
        List<List<String>> commandLines = List.of(
                List.of("metadata", "s", "--set", "{\"$maxCount\": \"ten\"}"),
                List.of("metadata", "s", "--set", "[1]"),
                List.of("metadata", "s", "--set", "{\"$acl\": {\"$r\": 1}}"),
                List.of("metadata", "s", "--max-count", "0"),
                List.of("metadata", "s", "--max-age", "soon"),
                List.of("metadata", "s", "--max-age", "PT0.5S"),
                List.of("metadata", "s", "--set", "{\"$acl\": {\"$x\": \"a\"}}"));
        for (List<String> args : commandLines) {
            CliHarness.Run run = cli(args.toArray(String[]::new));
            assertThat(run.exitCode).as(args + "\n" + run).isEqualTo(ExitCodes.USAGE);
            assertThat(run.errLines()).as(args.toString()).hasSize(1);
        }
        assertThat(cli("metadata", "s", "--set", "{\"$maxCount\": 1,}").errLines())
                .singleElement()
                .asString()
                .startsWith("factum: malformed JSON in the --set JSON at line 1, column 17: Unexpected character");
        assertThat(cli("metadata", "s", "--max-age", "soon").errLines())
                .singleElement()
                .asString()
                .contains("'soon' is not a duration (examples: 90, 30s, 15m, 12h, 7d, 1d12h, PT36H)");
        store.reopen();
        assertThat(store.getStreamMetadata("s").metastreamVersion()).isEqualTo(-1);
    }

    @Test
    void softDeleteHidesTheStreamAndAppendsContinue() {
        append("s", 2);

        CliHarness.Run run = cli("delete", "s");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .containsExactly("soft-deleted 's': its events are hidden; a later append continues"
                        + " its version numbering (metadata written at position 2)");
        assertThat(cli("read", "s").exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(cli("append", "s", "--type", "T", "{}").outLines())
                .containsExactly("appended 1 event to 's': version 2, position 3");
        assertThat(cli("metadata", "s").outLines()).contains("truncate before  2");
    }

    @Test
    void hardDeleteTombstones() {
        append("s", 1);

        CliHarness.Run run = cli("--json", "delete", "s", "--hard", "--expected-version", "0");

        assertThat(run.outLines()).containsExactly("{\"stream\":\"s\",\"hard\":true,\"position\":1}");
        CliHarness.Run again = cli("append", "s", "--type", "T", "{}");
        assertThat(again.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(again.errLines()).singleElement().asString().contains("is deleted (tombstoned)");
    }

    @Test
    void deleteWithAWrongExpectedVersion() {
        append("s", 3);

        CliHarness.Run run = cli("delete", "s", "--expected-version", "1");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines())
                .containsExactly("factum: wrong expected version for stream 's': expected 1, actual 2");
    }

    @Test
    void verifyOfASoundStore() {
        opener.verifyReport = java.util.Optional.of(new VerifyReport(dataDir, 2, 10, 40, 40, List.of()));

        CliHarness.Run run = cli("verify");

        assertThat(run.exitCode).isZero();
        assertThat(run.outLines())
                .containsExactly(
                        "checked " + dataDir + ": 2 segments, 10 frames, 40 records, 40 index entries",
                        "OK: no damage found");
        assertThat(opener.verified).containsExactly(dataDir);
        assertThat(opener.opened).as("verify opens nothing for writing").isEmpty();
    }

    @Test
    void verifyReportsEveryProblemAndExitsOne() {
        Path segment = dataDir.resolve("log/00000000000000000000.seg");
        Path index = dataDir.resolve("index/0001.idx");
        opener.verifyReport = java.util.Optional.of(new VerifyReport(
                dataDir,
                1,
                7,
                9,
                3,
                List.of(
                        new VerifyReport.Problem(segment, 4096, "frame checksum mismatch"),
                        new VerifyReport.Problem(index, 128, "entry points past the log"))));

        CliHarness.Run run = cli("verify");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.outLines())
                .containsExactly(
                        "checked " + dataDir + ": 1 segments, 7 frames, 9 records, 3 index entries",
                        "DAMAGED: 2 problems",
                        "  " + segment + " at byte offset 4096: frame checksum mismatch",
                        "  " + index + " at byte offset 128: entry points past the log");
        assertThat(run.errLines())
                .containsExactly("factum: the store in " + dataDir
                        + " is damaged: 2 problems (listed above); restore the damaged files from a backup or replica");

        CliHarness.Run json = cli("--json", "verify");
        assertThat(json.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(json.outLines())
                .singleElement()
                .asString()
                .contains("\"ok\":false")
                .contains("{\"file\":\"" + segment + "\",\"offset\":4096,\"description\":\"frame checksum mismatch\"}");
    }

    @Test
    void statsAsATableAndAsJson() {
        opener.stats = java.util.Optional.of(
                new EngineStats(41, 42, 3, 1, 1_572_864, 41, 2, 2048, 7, 5, 0, FlushLatency.none(), Optional.empty()));

        CliHarness.Run run = cli("stats");

        assertThat(run.exitCode).isZero();
        assertThat(run.outLines())
                .containsExactly(
                        "data directory          " + dataDir,
                        "head position           41",
                        "events                  42",
                        "streams                 3",
                        "log segments            1",
                        "log size                1.5 MiB (1,572,864 bytes)",
                        "indexed up to position  41",
                        "index files             2",
                        "index size              2.0 KiB (2,048 bytes)",
                        "appends since open      7",
                        "fsyncs since open       5",
                        "write queue depth       0");
        assertThat(cli("--json", "stats").outLines())
                .containsExactly(
                        "{\"headPosition\":41,\"eventCount\":42,"
                                + "\"streamCount\":3,\"segmentCount\":1,\"logBytes\":1572864,\"indexedUpToPosition\":41,"
                                + "\"indexFileCount\":2,\"indexBytes\":2048,\"appendsCommitted\":7,\"syncs\":5,\"writeQueueDepth\":0}");
    }

    @Test
    void lockedDataDirectoryGivesTheEngineMessage() {
        opener.openFailure = java.util.Optional.of(new DataDirectoryLockedException(dataDir));

        CliHarness.Run run = cli("append", "s", "--type", "T", "{}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines()).containsExactly("factum: " + new DataDirectoryLockedException(dataDir).getMessage());
    }

    @Test
    void corruptStoreOnOpen() {
        Path segment = dataDir.resolve("log/0.seg");
        opener.openFailure = java.util.Optional.of(new CorruptStoreException(segment, 77, "bad frame"));

        CliHarness.Run run = cli("read-all");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: " + segment + " is corrupt at byte offset 77: bad frame");
    }

    @Test
    void aBugSaysSoAndAlwaysShowsItsStackTrace() {
        opener.openBug = java.util.Optional.of(new IllegalStateException("boom"));

        CliHarness.Run quiet = cli.run("read-all", "--data", dataDir.toString());
        assertThat(quiet.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(quiet.errLines().getFirst())
                .isEqualTo("factum: internal error: java.lang.IllegalStateException: boom (a bug in Factum; please"
                        + " report it with the stack trace below)");
        assertThat(quiet.err.toString()).contains("\tat io.factum.cli.");
    }

    @Test
    void anExpectedFailureShowsItsStackTraceOnlyWithDebug() {
        opener.openFailure = java.util.Optional.of(new DataDirectoryLockedException(dataDir));

        CliHarness.Run quiet = cli.run("read-all", "--data", dataDir.toString());
        assertThat(quiet.errLines()).singleElement().asString().startsWith("factum: data directory ");

        CliHarness.Run debug = cli.run("read-all", "--debug", "--data", dataDir.toString());
        assertThat(debug.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(debug.errLines().getFirst()).isEqualTo(quiet.errLines().getFirst());
        assertThat(debug.err.toString())
                .contains("DataDirectoryLockedException")
                .contains("\tat ");
    }

    @Test
    void helpAndVersion() {
        CliHarness.Run help = cli.run("--help");
        assertThat(help.exitCode).isZero();
        assertThat(help.out.toString())
                .contains("append", "read-all", "tail", "metadata", "delete", "verify", "stats")
                .contains("test [--long]", "server", "Exit codes:");

        CliHarness.Run appendHelp = cli.run("append", "--help");
        assertThat(appendHelp.exitCode).isZero();
        assertThat(appendHelp.out.toString()).contains("JSON lines", "--expected-version", "dataBase64");

        CliHarness.Run helpVerb = cli.run("help", "tail");
        assertThat(helpVerb.exitCode).isZero();
        assertThat(helpVerb.out.toString()).startsWith("Usage: factum tail").contains("--from-start");

        CliHarness.Run version = cli.run("--version");
        assertThat(version.exitCode).isZero();
        assertThat(version.out.toString()).startsWith("factum 0.1.0-SNAPSHOT");
    }

    @Test
    void noVerbOrUnknownVerbIsAUsageError() {
        CliHarness.Run none = cli.run();
        assertThat(none.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(none.errLines()).singleElement().asString().startsWith("factum: missing verb: append, read");

        CliHarness.Run unknown = cli.run("frobnicate");
        assertThat(unknown.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.errLines()).singleElement().asString().startsWith("factum: Unmatched argument");
    }

    @Test
    void dataOptionWorksBeforeAndAfterTheVerb() {
        append("s", 1);
        Path other = dataDir.resolve("other");
        other.toFile().mkdirs();

        cli.run("--data", other.toString(), "read", "s");
        cli.run("read", "s", "--data", dataDir.toString());

        assertThat(opener.opened).containsExactly(other, dataDir);
    }
}
