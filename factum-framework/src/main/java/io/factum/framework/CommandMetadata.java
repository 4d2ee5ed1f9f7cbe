package io.factum.framework;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ids and metadata every event written for a command carries: event ids derived from the
 * command id (so a second delivery of the command is recognised), {@code $correlationId} and
 * {@code $causationId} under KurrentDB's names (so its tools and projections read them too), and
 * {@code $schemaVersion} when the event's schema version is not 1.
 */
final class CommandMetadata {
    static final String SCHEMA_VERSION = "$schemaVersion";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SCHEMA_VERSION_KEY = ("\"" + SCHEMA_VERSION + "\"").getBytes(StandardCharsets.UTF_8);

    private CommandMetadata() {}

    /** The id of the {@code index}-th event of the command: a name-based UUID, the same every time. */
    static UUID eventId(UUID commandId, int index) {
        byte[] name = (commandId + "/" + index).getBytes(StandardCharsets.UTF_8);
        return UUID.nameUUIDFromBytes(name);
    }

    /** The metadata of an event of the command at {@code schemaVersion}, as UTF-8 JSON. */
    static byte[] json(CommandEnvelope<?> envelope, int schemaVersion) {
        ObjectNode meta = JSON.createObjectNode()
                .put("$correlationId", envelope.correlationId())
                .put("$causationId", envelope.commandId().toString());
        if (schemaVersion != 1) {
            meta.put(SCHEMA_VERSION, schemaVersion);
        }
        try {
            return JSON.writeValueAsBytes(meta);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings did not serialise", e);
        }
    }

    /**
     * The schema version a stored event's metadata names; 1 when it names none (or is not JSON:
     * metadata written by other tools is theirs).
     */
    static int schemaVersion(byte[] metadata) {
        if (!contains(metadata, SCHEMA_VERSION_KEY)) {
            return 1; // the common case, without parsing
        }
        try {
            JsonNode version = JSON.readTree(metadata).path(SCHEMA_VERSION);
            return version.canConvertToInt() ? version.asInt() : 1;
        } catch (IOException e) {
            return 1;
        }
    }

    private static boolean contains(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
