package io.factum.framework;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    /**
     * The id of the {@code index}-th event of the command: the same every time, different for
     * every command and index. Two Feistel rounds of a 64-bit mix over the command id's bits,
     * keyed by the index (a bijection per index, so two commands never share an id at one
     * index), marked as a version 8 (custom) UUID. Cheaper than a name-based UUID's MD5, which
     * showed in profiles of the command path.
     */
    static UUID eventId(UUID commandId, int index) {
        long hi = commandId.getMostSignificantBits();
        long lo = commandId.getLeastSignificantBits();
        hi ^= mix(lo + 0x9E3779B97F4A7C15L * (index + 1));
        lo ^= mix(hi ^ (0xD1B54A32D192ED03L * (index + 1)));
        hi = (hi & ~0xF000L) | 0x8000L; // version 8
        lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new UUID(hi, lo);
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The metadata of an event of the command at {@code schemaVersion}, with the trace context
     * it was written in, as UTF-8 JSON.
     */
    static byte[] json(CommandEnvelope<?> envelope, int schemaVersion, Map<String, String> traceContext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("$correlationId", envelope.correlationId());
            g.writeStringField("$causationId", envelope.commandId().toString());
            if (schemaVersion != 1) {
                g.writeNumberField(SCHEMA_VERSION, schemaVersion);
            }
            for (Map.Entry<String, String> e : traceContext.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing metadata to memory failed", e);
        }
        return out.toByteArray();
    }
}
