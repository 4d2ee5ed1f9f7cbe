package io.factum.framework;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads what the framework writes into stored events' metadata. Metadata written by other tools
 * is theirs: what is not JSON, or lacks a key, reads as the default.
 */
public final class EventMetadata {
    public static final String SCHEMA_VERSION = "$schemaVersion";
    public static final String CORRELATION_ID = "$correlationId";
    public static final String CAUSATION_ID = "$causationId";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SCHEMA_VERSION_KEY = ("\"" + SCHEMA_VERSION + "\"").getBytes(StandardCharsets.UTF_8);

    private EventMetadata() {}

    /** The schema version the metadata names; 1 when it names none. */
    public static int schemaVersion(byte[] metadata) {
        if (!contains(metadata, SCHEMA_VERSION_KEY)) {
            return 1; // the common case, without parsing
        }
        JsonNode version = parse(metadata).path(SCHEMA_VERSION);
        return version.canConvertToInt() ? version.asInt() : 1;
    }

    /** The {@code $correlationId}, or "" when there is none. */
    public static String correlationId(byte[] metadata) {
        return parse(metadata).path(CORRELATION_ID).asText("");
    }

    /** The {@code $causationId}, or "" when there is none. */
    public static String causationId(byte[] metadata) {
        return parse(metadata).path(CAUSATION_ID).asText("");
    }

    /** The W3C {@code traceparent} and {@code tracestate} the metadata carries (empty: none). */
    public static java.util.Map<String, String> traceContext(byte[] metadata) {
        java.util.Map<String, String> out = new java.util.HashMap<>(2);
        JsonNode node = parse(metadata);
        for (String key : new String[] {"traceparent", "tracestate"}) {
            if (node.path(key).isTextual()) {
                out.put(key, node.get(key).asText());
            }
        }
        return out;
    }

    private static JsonNode parse(byte[] metadata) {
        if (metadata.length == 0) {
            return JSON.missingNode();
        }
        try {
            JsonNode node = JSON.readTree(metadata);
            return node == null ? JSON.missingNode() : node;
        } catch (IOException e) {
            return JSON.missingNode();
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
