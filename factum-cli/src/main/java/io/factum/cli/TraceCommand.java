package io.factum.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.framework.tools.CausalTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code factum trace}: the causal tree of every event of one correlation id. */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Shows every event whose $correlationId is the one given, across all streams, as a tree of"
                    + " causes: each event under the event or command that caused it ($causationId), commands"
                    + " sent by a process manager under the event it reacted to, with the time since the cause.",
            "Reads the whole of $all (there is no index by correlation id).",
            ""
        })
final class TraceCommand extends Verb {

    @Parameters(index = "0", paramLabel = "CORRELATION_ID", description = "The correlation id to follow.")
    String correlationId = "";

    @Override
    public Integer call() throws IOException {
        if (correlationId.isBlank()) {
            throw CliException.usage("give a CORRELATION_ID");
        }
        CausalTrace.Result result;
        try (EventStore store = openExisting()) {
            long head = store.headPosition();
            long[] lastShown = {System.nanoTime()};
            result = CausalTrace.of(store, correlationId, position -> {
                if (System.nanoTime() - lastShown[0] > 1_000_000_000L) {
                    lastShown[0] = System.nanoTime();
                    io().err().printf("factum: scanning $all, position %d of %d%n", position, head + 1);
                    io().err().flush();
                }
            });
        }
        if (result.events().isEmpty()) {
            throw CliException.failed("no event has the correlation id '" + correlationId + "'");
        }
        if (json()) {
            io().out().println(Json.compact(toJson(result)));
        } else {
            print(result, io().out());
        }
        io().out().flush();
        return ExitCodes.OK;
    }

    private static void print(CausalTrace.Result result, PrintWriter out) {
        List<RecordedEvent> domain =
                result.events().stream().filter(e -> !e.type().startsWith("$")).toList();
        long streams = domain.stream().map(RecordedEvent::stream).distinct().count();
        RecordedEvent first = domain.isEmpty() ? result.events().getFirst() : domain.getFirst();
        RecordedEvent last = domain.isEmpty() ? result.events().getLast() : domain.getLast();
        out.printf(
                "correlation %s: %d events in %d streams, %s to %s (%s)%n",
                result.correlationId(),
                domain.size(),
                streams,
                first.created(),
                last.created(),
                millis(Duration.between(first.created(), last.created())));
        for (CausalTrace.Node root : result.roots()) {
            print(root, "", "", out);
        }
    }

    private static void print(CausalTrace.Node node, String lead, String indent, PrintWriter out) {
        switch (node) {
            case CausalTrace.EventNode e -> {
                RecordedEvent r = e.event();
                out.printf(
                        "%s%s  %s@%d  %s%s%n",
                        lead,
                        r.type(),
                        r.stream(),
                        r.version(),
                        e.gap() == null ? r.created() : "+" + millis(e.gap()),
                        "");
            }
            case CausalTrace.CommandNode c ->
                out.printf(
                        "%scommand %s%s%n", lead, c.id(), c.sentBy().isEmpty() ? "" : " (sent by " + c.sentBy() + ")");
        }
        List<CausalTrace.Node> children = node.children();
        for (int i = 0; i < children.size(); i++) {
            boolean lastChild = i == children.size() - 1;
            print(children.get(i), indent + (lastChild ? "└─ " : "├─ "), indent + (lastChild ? "   " : "│  "), out);
        }
    }

    private static String millis(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + " ms" : String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private static ObjectNode toJson(CausalTrace.Result result) {
        ObjectNode root = Json.object();
        root.put("correlationId", result.correlationId());
        root.put(
                "events",
                result.events().stream().filter(e -> !e.type().startsWith("$")).count());
        ArrayNode roots = root.putArray("roots");
        result.roots().forEach(n -> roots.add(toJson(n)));
        return root;
    }

    private static ObjectNode toJson(CausalTrace.Node node) {
        ObjectNode out = Json.object();
        switch (node) {
            case CausalTrace.EventNode e -> {
                RecordedEvent r = e.event();
                out.put("kind", "event");
                out.put("id", r.eventId().toString());
                out.put("stream", r.stream());
                out.put("version", r.version());
                out.put("position", r.position());
                out.put("type", r.type());
                out.put("created", r.created().toString());
                if (e.gap() != null) {
                    out.put("gapMillis", e.gap().toMillis());
                }
            }
            case CausalTrace.CommandNode c -> {
                out.put("kind", "command");
                out.put("id", c.id());
                if (!c.sentBy().isEmpty()) {
                    out.put("sentBy", c.sentBy());
                }
            }
        }
        ArrayNode children = out.putArray("children");
        node.children().forEach(n -> children.add(toJson(n)));
        return out;
    }
}
