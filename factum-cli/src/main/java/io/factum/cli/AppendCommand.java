package io.factum.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.StreamAppend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code factum append}: validates all input first, then appends it as one atomic batch. */
@Command(
        name = "append",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Appends events to a stream, atomically: all of them or none.",
            "",
            "One event: give its data as the JSON argument (or, without the argument, as the whole of"
                    + " standard input) and its type with --type.",
            "Several events: leave out --type and the argument, and give one event per line on standard"
                    + " input (JSON lines; blank lines are skipped):",
            "  {\"type\": \"OrderPlaced\", \"data\": {...}, \"metadata\": {...}, \"id\": \"<uuid>\"}",
            "\"metadata\" and \"id\" are optional (a random id is chosen); \"dataBase64\" /"
                    + " \"metadataBase64\" carry binary payloads instead. The extra keys of 'factum read"
                    + " --json' output are ignored, so a read can be piped into an append.",
            "All JSON is checked before anything is written; an error names the line and column.",
            "",
            "Tags (--tag, or \"tags\": [...] per line) let 'factum read-query' find events by what they"
                    + " are about. --fail-if makes the append conditional: it fails, writing nothing, if an"
                    + " event matching the query was stored after --after (the position 'read-query'"
                    + " reported), so a decision based on that read still holds when it is written.",
            ""
        },
        footer = {
            "",
            "Examples:",
            "  factum append orders-1 --type OrderPlaced '{\"total\": 42}'",
            "  factum append orders-1 --type OrderPlaced --expected-version no-stream < order.json",
            "  factum append course-7 --type StudentEnrolled --tag course:7 --tag student:3 '{}' \\",
            "      --fail-if 'type=StudentEnrolled,tag=course:7' --after 41",
            "  printf '%s\\n' '{\"type\":\"A\",\"data\":{}}' '{\"type\":\"B\",\"data\":{}}' | factum append orders-1"
        })
final class AppendCommand extends Verb {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The stream to append to.")
    String stream = "";

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "JSON",
            description = "The event's data (needs --type). Without it, events are read from standard input.")
    Optional<String> data = Optional.empty();

    @Option(names = "--type", paramLabel = "TYPE", description = "The event type, for a single event.")
    Optional<String> type = Optional.empty();

    @Option(
            names = "--expected-version",
            paramLabel = "any|no-stream|stream-exists|N",
            defaultValue = "any",
            converter = Converters.ExpectedVersionConverter.class,
            description = "Append only if the stream is in this state (default: any).")
    ExpectedVersion expected = ExpectedVersion.any();

    @Option(
            names = "--id",
            paramLabel = "UUID",
            converter = Converters.UuidConverter.class,
            description = "The event id, the idempotency key of a single event (default: random).")
    Optional<UUID> id = Optional.empty();

    @Option(names = "--metadata", paramLabel = "JSON", description = "The event metadata, for a single event.")
    Optional<String> metadata = Optional.empty();

    @Option(
            names = "--tag",
            paramLabel = "TAG",
            description = "A tag for every event appended, e.g. course:7 (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(
            names = "--fail-if",
            paramLabel = "QUERY",
            converter = QuerySyntax.Converter.class,
            description = "Append only if no event matching QUERY was stored after --after. " + QuerySyntax.HELP)
    Optional<Query> failIf = Optional.empty();

    @Option(
            names = "--after",
            paramLabel = "POSITION",
            description = "With --fail-if: the position the decision's read was consistent at (default -1:"
                    + " no matching event may exist at all).")
    Optional<Long> after = Optional.empty();

    @Override
    public Integer call() throws IOException {
        Optional<AppendCondition> condition = condition();
        List<EventData> events = withTags(events());
        AppendResult result;
        try (EventStore store = openOrCreate()) {
            result = condition.isPresent()
                    ? store.appendMulti(List.of(new StreamAppend(stream, expected, events)), condition)
                            .getFirst()
                    : store.append(stream, expected, events);
        }
        print(events.size(), result);
        return ExitCodes.OK;
    }

    private Optional<AppendCondition> condition() {
        if (after.isPresent() && failIf.isEmpty()) {
            throw CliException.usage("--after is the position of a condition: give --fail-if QUERY with it");
        }
        if (after.isPresent() && after.get() < -1) {
            throw CliException.usage("invalid --after " + after.get()
                    + ": must be a position >= 0, or -1 (no matching event may exist at all)");
        }
        return failIf.map(query -> new AppendCondition(query, after.orElse(-1L)));
    }

    /** The events with the --tag tags added to their own (JSON lines may carry tags too). */
    private List<EventData> withTags(List<EventData> events) {
        if (tags.isEmpty()) {
            return events;
        }
        return events.stream()
                .map(event -> {
                    List<String> all = new ArrayList<>(event.tags());
                    all.addAll(tags);
                    return event.withTags(all);
                })
                .toList();
    }

    private List<EventData> events() throws IOException {
        if (data.isPresent()) {
            String eventType = type.orElseThrow(() -> CliException.usage(
                    "--type is needed with the data argument (factum append STREAM" + " --type TYPE JSON)"));
            return List.of(EventInput.single("the data argument", data.get(), eventType, id, metadata));
        }
        if (type.isPresent()) {
            hintStdin("the event's data (one JSON document)");
            String text = EventInput.readAll(io().in());
            return List.of(EventInput.single("standard input", text, type.get(), id, metadata));
        }
        if (id.isPresent() || metadata.isPresent()) {
            throw CliException.usage("--id and --metadata describe a single event (with --type); in JSON lines"
                    + " put \"id\" and \"metadata\" in each line");
        }
        hintStdin("events as JSON lines ({\"type\": ..., \"data\": ...} per line)");
        return EventInput.jsonLines(EventInput.readAll(io().in()));
    }

    private void hintStdin(String what) {
        if (io().stdinInteractive()) {
            io().err().println("factum: reading " + what + " from standard input; end with Ctrl-D");
            io().err().flush();
        }
    }

    private void print(int count, AppendResult result) {
        if (json()) {
            ObjectNode node = Json.object();
            node.put("stream", stream);
            node.put("events", count);
            node.put("written", result.written());
            node.put("streamVersion", result.streamVersion());
            node.put("position", result.position());
            io().out().println(Json.compact(node));
        } else if (!result.written()) {
            io().out()
                    .printf(
                            "nothing written: these events are already stored (idempotent retry); '%s' is at version %d,"
                                    + " position %d%n",
                            stream, result.streamVersion(), result.position());
        } else if (count == 1) {
            io().out()
                    .printf(
                            "appended 1 event to '%s': version %d, position %d%n",
                            stream, result.streamVersion(), result.position());
        } else {
            io().out()
                    .printf(
                            "appended %d events to '%s': versions %d..%d, positions %d..%d%n",
                            count,
                            stream,
                            result.streamVersion() - count + 1,
                            result.streamVersion(),
                            result.position() - count + 1,
                            result.position());
        }
        io().out().flush();
    }
}
