package io.factum.framework.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One step of a process, as stored in its stream: the input it handled (an event, a deadline, a
 * refused command), the state after it, the commands it sent (so a crash before they were sent is
 * repaired by sending them again), the deadlines pending after it, every input handled so far
 * (so that an input delivered twice is recognised), and whether the process is finished. Each
 * step holds all of it, so loading a process reads one event.
 */
record ProcessStep(
        String input,
        byte[] state,
        boolean stateIsJson,
        List<Sent> commands,
        Map<String, Deadline> pending,
        Set<String> handled,
        boolean done) {

    /** Most inputs remembered; the oldest are forgotten beyond it. */
    static final int HANDLED_KEPT = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A command the step sent: its id, and its type and data from the command codec. */
    record Sent(UUID commandId, String type, byte[] data, boolean json) {}

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode().put("input", input).put("done", done);
        put(root, "state", state, stateIsJson);
        ArrayNode sent = root.putArray("commands");
        for (Sent s : commands) {
            ObjectNode c = sent.addObject().put("id", s.commandId().toString()).put("type", s.type());
            put(c, "data", s.data(), s.json());
        }
        ArrayNode deadlines = root.putArray("pending");
        pending.values().forEach(d -> deadlines
                .addObject()
                .put("id", d.id())
                .put("due", d.due().toString())
                .put("data", d.data()));
        ArrayNode inputs = root.putArray("handled");
        handled.forEach(inputs::add);
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void put(ObjectNode node, String field, byte[] bytes, boolean json) {
        if (json) {
            try {
                node.set(field, JSON.readTree(bytes));
                return;
            } catch (IOException e) {
                // not JSON after all: stored as base64 below
            }
        }
        node.put(field + "Base64", Base64.getEncoder().encodeToString(bytes));
    }

    static ProcessStep fromJson(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        List<Sent> commands = new ArrayList<>();
        for (JsonNode c : root.path("commands")) {
            boolean isJson = c.has("data");
            commands.add(new Sent(
                    UUID.fromString(c.path("id").asText()), c.path("type").asText(), bytes(c, "data"), isJson));
        }
        Map<String, Deadline> pending = new LinkedHashMap<>();
        for (JsonNode d : root.path("pending")) {
            Deadline deadline = new Deadline(
                    d.path("id").asText(),
                    Instant.parse(d.path("due").asText()),
                    d.path("data").asText());
            pending.put(deadline.id(), deadline);
        }
        Set<String> handled = new LinkedHashSet<>();
        root.path("handled").forEach(h -> handled.add(h.asText()));
        return new ProcessStep(
                root.path("input").asText(),
                bytes(root, "state"),
                root.has("state"),
                commands,
                pending,
                handled,
                root.path("done").asBoolean());
    }

    private static byte[] bytes(JsonNode node, String field) throws IOException {
        if (node.has(field)) {
            return JSON.writeValueAsBytes(node.get(field));
        }
        return Base64.getDecoder().decode(node.path(field + "Base64").asText(""));
    }
}
