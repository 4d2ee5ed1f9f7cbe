package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StoreLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code factum read} and {@code read-all}: table and JSON output, paging, limits, filters. */
class ReadCommandsTest {

    @TempDir
    Path dataDir;

    /** A read count of 2 makes every read below span several pages. */
    private final FakeEventStore store = new FakeEventStore(new StoreLimits(1024, 256, 4 << 20, 16 << 20, 10_000, 2));

    private final FakeStoreOpener opener = new FakeStoreOpener(store);
    private final CliHarness cli = new CliHarness(opener);

    private CliHarness.Run cli(String... args) {
        String[] withData = new String[args.length + 2];
        withData[0] = "--data";
        withData[1] = dataDir.toString();
        System.arraycopy(args, 0, withData, 2, args.length);
        return cli.run(withData);
    }

    private void appendNumbered(String stream, int count) {
        for (int i = 0; i < count; i++) {
            store.append(stream, ExpectedVersion.any(), List.of(EventData.json("Numbered", "{\"n\": " + i + "}")));
        }
    }

    @Test
    void readPrintsAnAlignedTableAcrossPages() {
        appendNumbered("orders-1", 5);

        CliHarness.Run run = cli("read", "orders-1");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines())
                .containsExactly(
                        "POSITION  STREAM    VERSION  TYPE      CREATED                   DATA",
                        "       0  orders-1        0  Numbered  2025-03-01T10:15:30.123Z  {\"n\":0}",
                        "       1  orders-1        1  Numbered  2025-03-01T10:15:30.123Z  {\"n\":1}",
                        "       2  orders-1        2  Numbered  2025-03-01T10:15:30.123Z  {\"n\":2}",
                        "       3  orders-1        3  Numbered  2025-03-01T10:15:30.123Z  {\"n\":3}",
                        "       4  orders-1        4  Numbered  2025-03-01T10:15:30.123Z  {\"n\":4}");
        assertThat(run.err.toString()).isEmpty();
    }

    @Test
    void dataIsCutToTheTerminalWidth() {
        String longText = "x".repeat(500);
        store.append("s", ExpectedVersion.any(), List.of(EventData.json("T", "{\"text\": \"" + longText + "\"}")));
        store.append("s", ExpectedVersion.any(), List.of(EventData.binary("Bin", new byte[] {1, 2, 3})));
        cli.widthColumns = 80;

        CliHarness.Run run = cli("read", "s");

        assertThat(run.outLines()).hasSize(3).allSatisfy(line -> assertThat(line.length())
                .isLessThanOrEqualTo(80));
        assertThat(run.outLines().get(1))
                .contains("{\"text\":\"xxx")
                .endsWith("xxx...")
                .hasSize(80);
        assertThat(run.outLines().get(2)).endsWith("(binary, 3 bytes)");
    }

    @Test
    void narrowTerminalsNarrowTheNameColumnsBeforeTheData() {
        String stream = "a-rather-long-stream-name-for-a-narrow-terminal";
        store.append(stream, ExpectedVersion.any(), List.of(EventData.json("SomeLongEventTypeName", "{\"k\": 1}")));
        cli.widthColumns = 80;

        List<String> lines = cli("read", stream).outLines();

        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        assertThat(lines.get(1)).contains(" a-rat... ", " SomeL... ", "{\"k\":1}");
    }

    @Test
    void readJsonLinesCarryEveryField() throws Exception {
        UUID id = UUID.fromString("0b6b1b8e-6a53-4f3c-9d5b-3c2f3a7f1e01");
        store.append(
                "s",
                ExpectedVersion.any(),
                List.of(
                        EventData.json(id, "Placed", "{\"total\": 1.10}", "{\"$correlationId\": \"c\"}"),
                        EventData.binary("Blob", new byte[] {0, 1, 2})));

        CliHarness.Run run = cli("--json", "read", "s");

        assertThat(run.outLines()).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(run.outLines().get(0));
        assertThat(first.toString())
                .isEqualTo("{\"position\":0,\"stream\":\"s\",\"version\":0,\"id\":\"" + id
                        + "\",\"type\":\"Placed\",\"contentType\":\"application/json\","
                        + "\"created\":\"2025-03-01T10:15:30.123Z\",\"data\":{\"total\":1.10},"
                        + "\"metadata\":{\"$correlationId\":\"c\"}}");
        JsonNode second = Json.MAPPER.readTree(run.outLines().get(1));
        assertThat(second.get("contentType").asText()).isEqualTo("application/octet-stream");
        assertThat(second.get("dataBase64").asText()).isEqualTo("AAEC");
        assertThat(second.get("metadataBase64").asText()).isEmpty();
        assertThat(second.has("data")).isFalse();
    }

    @Test
    void jsonOutputOfAReadCanBeAppendedElsewhere() {
        store.append(
                "src",
                ExpectedVersion.any(),
                List.of(EventData.json("A", "{\"a\":1}"), EventData.binary("B", new byte[] {9})));
        String exported = cli("--json", "read", "src").out.toString();

        CliHarness.Run run = cli.runWithStdin(exported, "append", "copy", "--data", dataDir.toString());

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(store.eventsOf("copy"))
                .extracting(e -> e.type() + " " + e.contentType() + " " + FakeEventStore.text(e.data()))
                .containsExactly("A JSON {\"a\":1}", "B BINARY \t");
        assertThat(store.eventsOf("copy").getFirst().eventId())
                .isEqualTo(store.eventsOf("src").getFirst().eventId());
    }

    @Test
    void backwardsWithALimitSaysWhereToContinue() {
        appendNumbered("s", 5);

        CliHarness.Run run = cli("read", "s", "--backwards", "--limit", "3");

        assertThat(run.outLines())
                .extracting(line -> line.substring(0, 8).strip())
                .containsExactly("POSITION", "4", "3", "2");
        assertThat(run.errLines()).containsExactly("factum: more events follow; continue with --from 1");
    }

    @Test
    void readFromAVersion() {
        appendNumbered("s", 5);

        CliHarness.Run run = cli("--json", "read", "s", "--from", "3");

        assertThat(run.outLines())
                .extracting(line -> line.substring(0, line.indexOf(',')))
                .containsExactly("{\"position\":3", "{\"position\":4");
    }

    @Test
    void missingStreamIsAFailure() {
        appendNumbered("other", 1);

        CliHarness.Run run = cli("read", "nope");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines()).containsExactly("factum: stream 'nope' not found (never written, or soft-deleted)");
    }

    @Test
    void missingDataDirectoryIsRefusedWithoutCreatingIt() {
        Path missing = dataDir.resolve("missing");

        CliHarness.Run run = cli.run("read", "s", "--data", missing.toString());

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .isEqualTo("factum: data directory " + missing
                        + " does not exist (append an event to create it, or choose another with --data DIR)");
        assertThat(opener.opened).isEmpty();
    }

    @Test
    void emptyResultSaysSo() {
        CliHarness.Run run = cli("read-all");

        assertThat(run.exitCode).isZero();
        assertThat(run.outLines()).containsExactly("(no events)");
    }

    @Test
    void readAllPagesThroughTheLogInBothDirections() {
        appendNumbered("a-1", 3);
        appendNumbered("b-1", 2);

        assertThat(positions(cli("--json", "read-all"))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(positions(cli("--json", "read-all", "--backwards"))).containsExactly(4L, 3L, 2L, 1L, 0L);
        assertThat(positions(cli("--json", "read-all", "--from", "2", "--limit", "2")))
                .containsExactly(2L, 3L);
        assertThat(positions(cli("--json", "read-all", "--backwards", "--from", "3", "--limit", "3")))
                .containsExactly(3L, 2L, 1L);
    }

    @Test
    void readAllFilters() {
        appendNumbered("a-1", 2);
        appendNumbered("b-1", 1);
        store.append("b-2", ExpectedVersion.any(), List.of(EventData.json("Other", "{}")));
        store.delete("a-1", ExpectedVersion.any());

        assertThat(positions(cli("--json", "read-all", "--stream-prefix", "b-")))
                .containsExactly(2L, 3L);
        assertThat(positions(cli("--json", "read-all", "--stream-prefix", "b-2", "--stream-prefix", "a-")))
                .containsExactly(0L, 1L, 3L);
        assertThat(positions(cli("--json", "read-all", "--type-prefix", "Oth"))).containsExactly(3L);
        // The metastream $$a-1 matches too: filters see every record of $all.
        assertThat(positions(cli("--json", "read-all", "--stream-regex", "-1$")))
                .containsExactly(0L, 1L, 2L, 4L);
        assertThat(positions(cli("--json", "read-all", "--type-regex", "^Num"))).containsExactly(0L, 1L, 2L);
        assertThat(positions(cli("--json", "read-all"))).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(positions(cli("--json", "read-all", "--exclude-system"))).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void readAllFilterMistakesAreUsageErrors() {
        CliHarness.Run two = cli("read-all", "--stream-prefix", "a", "--exclude-system");
        assertThat(two.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(two.errLines()).singleElement().asString().contains("give at most one of --stream-prefix");

        CliHarness.Run regex = cli("read-all", "--type-regex", "(");
        assertThat(regex.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(regex.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: invalid eventTypeRegex '(': is not a valid regular expression");

        CliHarness.Run limit = cli("read-all", "--limit", "0");
        assertThat(limit.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.errLines()).containsExactly("factum: invalid --limit 0: must be >= 1");

        CliHarness.Run number = cli("read-all", "--from", "ten");
        assertThat(number.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(number.errLines()).singleElement().asString().contains("--from");
    }

    @Test
    void tombstonedStreamsShowInAllButCannotBeRead() {
        appendNumbered("s", 1);
        store.tombstone("s", ExpectedVersion.any());

        CliHarness.Run all = cli("read-all");
        assertThat(all.outLines().get(2)).contains("tombstone").contains("$streamDeleted");

        CliHarness.Run read = cli("read", "s");
        assertThat(read.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(read.errLines())
                .containsExactly("factum: stream 's' is deleted (tombstoned) and can no longer be read or written");
    }

    @Test
    void longReadsKeepTheirColumnsAligned() {
        IntStream.range(0, 300).forEach(i -> appendNumbered("stream-" + i % 3, 1));

        List<String> lines = cli("read-all").outLines();

        assertThat(lines).hasSize(301);
        int dataColumn = lines.getFirst().indexOf("DATA");
        assertThat(lines.subList(1, lines.size()))
                .allSatisfy(line -> assertThat(line.indexOf("{\"n\":")).isEqualTo(dataColumn));
    }

    private static List<Long> positions(CliHarness.Run run) {
        assertThat(run.exitCode).as(run.toString()).isZero();
        return run.outLines().stream()
                .map(line -> {
                    try {
                        return Json.MAPPER.readTree(line).get("position").asLong();
                    } catch (Exception e) {
                        throw new AssertionError(line, e);
                    }
                })
                .toList();
    }
}
