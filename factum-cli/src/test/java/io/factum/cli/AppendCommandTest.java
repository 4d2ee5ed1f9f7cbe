package io.factum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code factum append}: the three input forms, validation before any write, and conflicts. */
class AppendCommandTest {

    @TempDir
    Path dataDir;

    private final FakeEventStore store = new FakeEventStore();
    private final FakeStoreOpener opener = new FakeStoreOpener(store);
    private final CliHarness cli = new CliHarness(opener);
    private String data;

    @BeforeEach
    void setUp() {
        data = dataDir.toString();
    }

    @Test
    void appendsOneEventFromTheArgument() {
        UUID id = UUID.fromString("0b6b1b8e-6a53-4f3c-9d5b-3c2f3a7f1e01");
        CliHarness.Run run = cli.run(
                "append",
                "--data",
                data,
                "orders-1",
                "--type",
                "OrderPlaced",
                "--id",
                id.toString(),
                "--metadata",
                "{\"$correlationId\":\"c-1\"}",
                "{\"total\": 42}");

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).containsExactly("appended 1 event to 'orders-1': version 0, position 0");
        assertThat(run.err.toString()).isEmpty();
        RecordedEvent event = store.eventsOf("orders-1").getFirst();
        assertThat(event.eventId()).isEqualTo(id);
        assertThat(event.type()).isEqualTo("OrderPlaced");
        assertThat(event.dataAsString()).isEqualTo("{\"total\": 42}");
        assertThat(event.metadataAsString()).isEqualTo("{\"$correlationId\":\"c-1\"}");
        assertThat(event.contentType()).isEqualTo(ContentType.JSON);
        assertThat(opener.opened).containsExactly(dataDir);
        assertThat(store.isClosed()).as("the store is closed after the verb").isTrue();
    }

    @Test
    void appendsJsonLinesFromStandardInputAtomically() {
        String stdin = """
                {"type": "A", "data": {"n": 1}, "id": "11111111-2222-3333-4444-555555555555"}

                {"type": "B", "data": [1, 2.50], "metadata": {"k": "v"}}
                {"type": "C", "dataBase64": "AAEC", "position": 7, "stream": "ignored", "created": "x"}
                """;
        CliHarness.Run run = cli.runWithStdin(stdin, "append", "orders-1", "--data", data);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(run.outLines()).containsExactly("appended 3 events to 'orders-1': versions 0..2, positions 0..2");
        List<RecordedEvent> events = store.eventsOf("orders-1");
        assertThat(events).extracting(RecordedEvent::type).containsExactly("A", "B", "C");
        assertThat(events.get(0).eventId()).isEqualTo(UUID.fromString("11111111-2222-3333-4444-555555555555"));
        assertThat(events.get(1).dataAsString()).isEqualTo("[1,2.50]");
        assertThat(events.get(1).metadataAsString()).isEqualTo("{\"k\":\"v\"}");
        assertThat(events.get(2).contentType()).isEqualTo(ContentType.BINARY);
        assertThat(events.get(2).data()).containsExactly(0, 1, 2);
        assertThat(events.get(0).metadata()).isEmpty();
    }

    @Test
    void readsOneMultiLineDocumentFromStandardInputWithType() {
        CliHarness.Run run = cli.runWithStdin("{\n  \"a\": 1\n}\n", "append", "s", "--type", "T", "--data", data);

        assertThat(run.exitCode).as(run.toString()).isZero();
        assertThat(store.eventsOf("s")).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("T");
            assertThat(e.dataAsString()).isEqualTo("{\n  \"a\": 1\n}");
        });
    }

    @Test
    void malformedJsonArgumentNamesLineAndColumnAndOpensNothing() {
        CliHarness.Run run = cli.run("append", "--data", data, "s", "--type", "T", "{\"a\": 1,}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: malformed JSON in the data argument at line 1, column 9: ")
                .doesNotContain("Source");
        assertThat(opener.opened).as("nothing is opened for bad input").isEmpty();
    }

    @Test
    void textAfterTheJsonValueIsRejected() {
        CliHarness.Run run = cli.run("append", "--data", data, "s", "--type", "T", "{\"a\": 1} {}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines())
                .containsExactly("factum: malformed JSON in the data argument at line 1, column 10:"
                        + " unexpected text after the end of the JSON value");
    }

    @Test
    void malformedJsonLineNamesTheInputLineAndWritesNothing() {
        String stdin = "{\"type\": \"A\", \"data\": {}}\n{\"type\": \"B\", \"data\": {\"x\": tru}}\n";
        CliHarness.Run run = cli.runWithStdin(stdin, "append", "s", "--data", data);

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines())
                .singleElement()
                .asString()
                .startsWith("factum: malformed JSON in standard input at line 2, column ");
        assertThat(store.eventsOf("s")).isEmpty();
        assertThat(opener.opened).isEmpty();
    }

    @Test
    void rejectsJsonLinesThatAreNotEvents() {
        assertThat(cli.runWithStdin("[1]\n", "append", "s", "--data", data).errLines())
                .singleElement()
                .asString()
                .contains("line 1: expected a JSON object");
        assertThat(cli.runWithStdin("{\"data\": 1}\n", "append", "s", "--data", data)
                        .errLines())
                .singleElement()
                .asString()
                .contains("line 1: missing \"type\"");
        assertThat(cli.runWithStdin("{\"type\": \"A\", \"data\": 1, \"typo\": 2}\n", "append", "s", "--data", data)
                        .errLines())
                .singleElement()
                .asString()
                .contains("unknown key \"typo\"");
        assertThat(cli.runWithStdin("{\"type\": \"A\"}\n", "append", "s", "--data", data)
                        .errLines())
                .singleElement()
                .asString()
                .contains("exactly one of \"data\" (JSON) or \"dataBase64\"");
        assertThat(cli.runWithStdin(
                                "{\"type\": \"A\", \"data\": 1, \"id\": \"1-1-1-1-1\"}", "append", "s", "--data", data)
                        .errLines())
                .singleElement()
                .asString()
                .contains("is not a UUID");
        assertThat(cli.runWithStdin("\n\n", "append", "s", "--data", data).errLines())
                .singleElement()
                .asString()
                .contains("no events on standard input");
        assertThat(store.eventsOf("s")).isEmpty();
    }

    @Test
    void usageErrorsAreOneLineWithExitCodeTwo() {
        List<String[]> commandLines = List.of(
                new String[] {"append", "s", "{}"},
                new String[] {"append", "s", "--type", "T", "--expected-version", "banana", "{}"},
                new String[] {"append", "s", "--type", "T", "--id", "not-a-uuid", "{}"},
                new String[] {"append", "s", "--id", "11111111-2222-3333-4444-555555555555"},
                new String[] {"append", "s", "--type", "T", "--metadata", "{", "{}"},
                new String[] {"append", "s", "--type", "T", "--frobnicate", "{}"},
                new String[] {"append"});
        for (String[] args : commandLines) {
            CliHarness.Run run = cli.run(args);
            assertThat(run.exitCode).as(String.join(" ", args) + "\n" + run).isEqualTo(ExitCodes.USAGE);
            assertThat(run.errLines())
                    .as(String.join(" ", args))
                    .singleElement()
                    .asString()
                    .startsWith("factum: ");
            assertThat(run.out.toString()).isEmpty();
        }
        assertThat(opener.opened).isEmpty();
    }

    @Test
    void expectedVersionMessageListsTheAcceptedForms() {
        CliHarness.Run run = cli.run("append", "s", "--type", "T", "--expected-version", "-1", "{}");

        assertThat(run.errLines())
                .singleElement()
                .asString()
                .contains("'-1' is not any, no-stream, stream-exists or a version number >= 0")
                .contains("(see 'factum append --help')");
    }

    @Test
    void wrongExpectedVersionShowsExpectedAndActual() {
        cli.run("append", "--data", data, "s", "--type", "T", "{}");

        CliHarness.Run run = cli.run("append", "--data", data, "s", "--type", "T", "--expected-version", "5", "{}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.FAILED);
        assertThat(run.errLines())
                .containsExactly("factum: wrong expected version for stream 's': expected 5, actual 0");
        assertThat(store.eventsOf("s")).hasSize(1);
    }

    @Test
    void expectedVersionFormsReachTheStore() {
        assertThat(cli.run("append", "--data", data, "s", "--type", "T", "--expected-version", "stream-exists", "{}")
                        .errLines())
                .containsExactly(
                        "factum: wrong expected version for stream 's': expected stream exists, actual no stream");
        assertThat(cli.run("append", "--data", data, "s", "--type", "T", "--expected-version", "no-stream", "{}")
                        .exitCode)
                .isZero();
        assertThat(cli.run("append", "--data", data, "s", "--type", "T", "--expected-version", "0", "{}").exitCode)
                .isZero();
        assertThat(store.eventsOf("s")).hasSize(2);
    }

    @Test
    void jsonOutputDescribesTheAppend() {
        CliHarness.Run run = cli.run("--json", "append", "--data", data, "s", "--type", "T", "{}");

        assertThat(run.outLines())
                .containsExactly("{\"stream\":\"s\",\"events\":1,\"written\":true,\"streamVersion\":0,\"position\":0}");
    }

    @Test
    void storeRejectionsOfInputAreUsageErrors() {
        CliHarness.Run run = cli.run("append", "--data", data, "bad\u0001name", "--type", "T", "{}");

        assertThat(run.exitCode).isEqualTo(ExitCodes.USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("factum: invalid stream ");
    }
}
