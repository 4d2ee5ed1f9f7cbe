package io.factum.framework.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.RecordedEvent;
import io.factum.framework.EventMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Every event of one correlation id, as a causal tree: an event's parent is what caused it, by
 * its {@code $causationId}, either another event or a command. A command's parent is the event a
 * process manager reacted to when it sent it (read from the process's steps, which share the
 * correlation id). Roots are what came from outside: commands no event caused, events whose
 * cause is not in the store.
 *
 * <p>Finding the events reads {@code $all} once: the store keeps no index by correlation id.
 */
public final class CausalTrace {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A node of the tree: an event, or a command known only by the events it caused. */
    public sealed interface Node {
        String id();

        List<Node> children();
    }

    /**
     * @param gap time since the parent event (null for a root, or below a command: then since the
     *     command's own parent)
     */
    public record EventNode(RecordedEvent event, @Nullable Duration gap, List<Node> children) implements Node {
        @Override
        public String id() {
            return event.eventId().toString();
        }
    }

    /** @param sentBy the process manager stream whose step sent it ("" when not known) */
    public record CommandNode(String id, String sentBy, List<Node> children) implements Node {}

    /** The events found, oldest first, and the roots of their tree. */
    public record Result(String correlationId, List<RecordedEvent> events, List<Node> roots) {}

    private CausalTrace() {}

    /**
     * Reads the store for events of {@code correlationId} and builds their tree.
     *
     * @param scanned told the position reached now and then, for a progress display
     */
    public static Result of(EventStore store, String correlationId, LongConsumer scanned) {
        List<RecordedEvent> events = find(store, correlationId, scanned);
        return new Result(correlationId, events, tree(events));
    }

    private static List<RecordedEvent> find(EventStore store, String correlationId, LongConsumer scanned) {
        byte[] needle = correlationId.getBytes(StandardCharsets.UTF_8);
        List<RecordedEvent> found = new ArrayList<>();
        long position = 0;
        int page = store.limits().maxReadCount();
        while (true) {
            ReadAllResult result = store.readAll(ReadAllOptions.forwards(position, page));
            for (RecordedEvent e : result.events()) {
                if (contains(e.metadata(), needle) && correlationId.equals(EventMetadata.correlationId(e.metadata()))) {
                    found.add(e);
                }
            }
            scanned.accept(result.nextPosition());
            if (result.endOfAll() || result.nextPosition() <= position) {
                return found;
            }
            position = result.nextPosition();
        }
    }

    static List<Node> tree(List<RecordedEvent> events) {
        Map<String, RecordedEvent> domain = new HashMap<>();
        Map<String, String> commandParents = new HashMap<>(); // command id -> event id that led to it
        Map<String, String> senders = new HashMap<>();
        Map<String, List<RecordedEvent>> byCause = new LinkedHashMap<>();
        for (RecordedEvent e : events) {
            if (e.type().equals("$step")) {
                readStep(e, commandParents, senders);
            } else if (!e.type().startsWith("$")) {
                domain.put(e.eventId().toString(), e);
                byCause.computeIfAbsent(EventMetadata.causationId(e.metadata()), k -> new ArrayList<>())
                        .add(e);
            }
        }
        // A cause that is neither empty nor an event here is a command: under the event a process
        // reacted to when it sent it, or a root (it came from outside).
        Map<String, List<String>> commandsUnder = new HashMap<>();
        List<String> rootCommands = new ArrayList<>();
        for (String cause : byCause.keySet()) {
            if (cause.isEmpty() || domain.containsKey(cause)) {
                continue;
            }
            String parent = commandParents.get(cause);
            if (parent != null && domain.containsKey(parent)) {
                commandsUnder.computeIfAbsent(parent, k -> new ArrayList<>()).add(cause);
            } else {
                rootCommands.add(cause);
            }
        }
        Builder builder = new Builder(byCause, commandsUnder, senders);
        List<Node> roots = new ArrayList<>();
        byCause.getOrDefault("", List.of()).forEach(e -> roots.add(builder.event(e, null)));
        rootCommands.forEach(c -> roots.add(builder.command(c, null)));
        roots.sort(Comparator.comparingLong(CausalTrace::firstPosition));
        return roots;
    }

    /** Builds nodes once every command has its place. */
    private record Builder(
            Map<String, List<RecordedEvent>> byCause,
            Map<String, List<String>> commandsUnder,
            Map<String, String> senders) {

        EventNode event(RecordedEvent e, @Nullable RecordedEvent cause) {
            String id = e.eventId().toString();
            List<Node> children = new ArrayList<>();
            byCause.getOrDefault(id, List.of()).forEach(child -> children.add(event(child, e)));
            commandsUnder.getOrDefault(id, List.of()).forEach(c -> children.add(command(c, e)));
            children.sort(Comparator.comparingLong(CausalTrace::firstPosition));
            return new EventNode(e, cause == null ? null : Duration.between(cause.created(), e.created()), children);
        }

        /** A command's events, with their gaps from the event that led to the command. */
        CommandNode command(String id, @Nullable RecordedEvent cause) {
            List<Node> children = new ArrayList<>();
            byCause.getOrDefault(id, List.of()).forEach(e -> children.add(event(e, cause)));
            return new CommandNode(id, senders.getOrDefault(id, ""), children);
        }
    }

    private static long firstPosition(Node node) {
        return switch (node) {
            case EventNode e -> e.event().position();
            case CommandNode c ->
                c.children().stream()
                        .mapToLong(CausalTrace::firstPosition)
                        .min()
                        .orElse(Long.MAX_VALUE);
        };
    }

    /** A process step names its input event and the commands it sent. */
    private static void readStep(RecordedEvent step, Map<String, String> parents, Map<String, String> senders) {
        try {
            JsonNode node = JSON.readTree(step.data());
            String input = node.path("input").asText("");
            String cause = input.startsWith("event:") ? input.substring("event:".length()) : "";
            for (JsonNode command : node.path("commands")) {
                String id = command.path("id").asText();
                if (!cause.isEmpty()) {
                    parents.put(id, cause);
                }
                senders.put(id, step.stream());
            }
        } catch (IOException e) {
            // not a step this code can read: its commands stay roots
        }
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(new String(part, StandardCharsets.ISO_8859_1));
    }
}
