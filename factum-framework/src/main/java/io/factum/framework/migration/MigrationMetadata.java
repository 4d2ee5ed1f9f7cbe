package io.factum.framework.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The marks a migration puts on what it writes: {@code $migration} (its name) and {@code
 * $migratedFrom} (the source event's stream, version and position), and the ids derived from the
 * source event's id.
 */
final class MigrationMetadata {
    static final String MIGRATION = "$migration";
    static final String FROM = "$migratedFrom";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARK = "\"" + MIGRATION + "\"";

    private MigrationMetadata() {}

    /** The id of the {@code index}-th event migration {@code name} makes of source event {@code source}. */
    static UUID eventId(String name, UUID source, int index) {
        return UUID.nameUUIDFromBytes(
                ("migration/" + name + "/" + source + "/" + index).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code metadata} (a JSON object, or empty) with the migration's marks added. */
    static byte[] stamp(byte[] metadata, String name, RecordedEvent source) {
        ObjectNode meta;
        if (metadata.length == 0) {
            meta = JSON.createObjectNode();
        } else {
            try {
                JsonNode parsed = JSON.readTree(metadata);
                if (!(parsed instanceof ObjectNode object)) {
                    throw new MigrationException(notAnObject(source));
                }
                meta = object;
            } catch (IOException e) {
                throw new MigrationException(notAnObject(source), e);
            }
        }
        meta.put(MIGRATION, name);
        meta.putObject(FROM)
                .put("stream", source.stream())
                .put("version", source.version())
                .put("position", source.position());
        return meta.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String notAnObject(RecordedEvent source) {
        return "the transform gave event " + source.version() + " of " + source.stream()
                + " metadata that is not a JSON object; a migration marks each event it writes in its metadata";
    }

    /** Whether a stored event was written by some migration (a cheap test before parsing). */
    static boolean mayBeMigrated(RecordedEvent event) {
        // ISO-8859-1 maps bytes to chars one to one: the mark's ASCII is found wherever it is.
        return new String(event.metadata(), StandardCharsets.ISO_8859_1).contains(MARK);
    }

    /** The name of the migration that wrote {@code event}, or "" when none did. */
    static String migrationOf(RecordedEvent event) {
        return mayBeMigrated(event) ? parse(event).path(MIGRATION).asText("") : "";
    }

    /** The source position of an event a migration wrote, or -1. */
    static long sourcePosition(RecordedEvent event) {
        return parse(event).path(FROM).path("position").asLong(-1);
    }

    private static JsonNode parse(RecordedEvent event) {
        try {
            JsonNode node = JSON.readTree(event.metadata());
            return node == null ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
