package io.factum.framework.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deadlines of one process manager, kept in the store ({@code process-deadlines-<name>}) so
 * that they fire after a restart: {@code $scheduled}, then {@code $fired} or {@code $cancelled}.
 * A deadline is written here before the step that schedules it, so none is lost to a crash;
 * the process's own pending deadlines decide whether one that fires still counts. Every instance
 * reads the book and fires what is due; handling a deadline twice has the effect of once.
 */
final class DeadlineBook {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A deadline of a process, as the book knows it. */
    record Entry(String process, Deadline deadline) {
        String key() {
            return process + "/" + deadline.id() + "@" + deadline.due();
        }
    }

    private final EventStore store;
    private final String stream;
    private final Map<String, Entry> pending = new HashMap<>();
    private long readUpTo = -1;

    DeadlineBook(EventStore store, String name) {
        this.store = store;
        this.stream = "process-deadlines-" + name;
    }

    void scheduled(String process, Deadline d) {
        append(
                "$scheduled",
                JSON.createObjectNode()
                        .put("process", process)
                        .put("id", d.id())
                        .put("due", d.due().toString())
                        .put("data", d.data())
                        .toString());
    }

    void closed(Entry entry, String why) {
        append(
                why,
                JSON.createObjectNode()
                        .put("process", entry.process())
                        .put("id", entry.deadline().id())
                        .put("due", entry.deadline().due().toString())
                        .toString());
    }

    private void append(String type, String json) {
        store.append(stream, ExpectedVersion.any(), List.of(EventData.json(type, json)));
    }

    /** Reads what was added since the last call; returns the deadlines still open, soonest first. */
    synchronized List<Entry> refresh() throws IOException {
        while (true) {
            ReadStreamResult result = store.readStream(stream, readUpTo + 1, Direction.FORWARDS, 500);
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.events().isEmpty()) {
                break;
            }
            for (RecordedEvent event : found.events()) {
                apply(event);
                readUpTo = event.version();
            }
            if (found.endOfStream()) {
                break;
            }
        }
        List<Entry> open = new ArrayList<>(pending.values());
        open.sort((a, b) -> a.deadline().due().compareTo(b.deadline().due()));
        return open;
    }

    private void apply(RecordedEvent event) throws IOException {
        JsonNode node = JSON.readTree(event.data());
        Instant due = Instant.parse(node.path("due").asText());
        Entry entry = new Entry(
                node.path("process").asText(),
                new Deadline(node.path("id").asText(), due, node.path("data").asText("")));
        if (event.type().equals("$scheduled")) {
            pending.put(entry.key(), entry);
        } else {
            pending.remove(entry.key());
        }
    }
}
