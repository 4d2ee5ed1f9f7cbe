package io.factum.framework;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * The ids and metadata every event written for a command carries: event ids derived from the
 * command id (so a second delivery of the command is recognised), {@code $correlationId} and
 * {@code $causationId} under KurrentDB's names (so its tools and projections read them too), and
 * {@code $schemaVersion} when the event's schema version is not 1.
 */
final class CommandMetadata {
    static final String SCHEMA_VERSION = EventMetadata.SCHEMA_VERSION;

    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandMetadata() {}

    /** The id of the {@code index}-th event of the command: a name-based UUID, the same every time. */
    static UUID eventId(UUID commandId, int index) {
        byte[] name = (commandId + "/" + index).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name);
    }

    /**
     * The metadata of an event of the command at {@code schemaVersion}, with the trace context
     * it was written in, as UTF-8 JSON.
     */
    static byte[] json(CommandEnvelope<?> envelope, int schemaVersion, Map<String, String> traceContext) {
        ObjectNode meta = JSON.createObjectNode()
                .put("$correlationId", envelope.correlationId())
                .put("$causationId", envelope.commandId().toString());
        if (schemaVersion != 1) {
            meta.put(SCHEMA_VERSION, schemaVersion);
        }
        traceContext.forEach(meta::put);
        try {
            return JSON.writeValueAsBytes(meta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings did not serialise", e);
        }
    }

    static int schemaVersion(byte[] metadata) {
        return EventMetadata.schemaVersion(metadata);
    }
}
