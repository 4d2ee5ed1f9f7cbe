package io.factum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Turns what the user gives {@code factum append} into events, validating every JSON text before
 * anything is opened or written. Three forms:
 *
 * <ul>
 *   <li>the data as an argument, with {@code --type}: one event;
 *   <li>the data on standard input, with {@code --type}: one event, the whole input is its data;
 *   <li>JSON lines on standard input, without {@code --type}: one event per non-blank line, {@code
 *       {"type": T, "data": JSON, "metadata": JSON, "id": UUID, "tags": [TAG, ...]}}; {@code dataBase64} / {@code
 *       metadataBase64} carry binary payloads. The keys {@code factum read --json} adds ({@code
 *       stream}, {@code version}, {@code position}, {@code created}, {@code tombstone}) are ignored,
 *       so a read can be piped into an append.
 * </ul>
 *
 * Stateless and thread-safe.
 */
final class EventInput {

    /** Standard input is read up to this size: 4 x the largest append the store accepts by default. */
    static final int MAX_INPUT_BYTES = 64 << 20;

    private static final Set<String> IGNORED_KEYS = Set.of("stream", "version", "position", "created", "tombstone");
    private static final List<String> KNOWN_KEYS =
            List.of("type", "data", "dataBase64", "metadata", "metadataBase64", "id", "contentType", "tags");

    private EventInput() {}

    /** One JSON event from the command line (the data argument or the whole of standard input). */
    static EventData single(String what, String dataJson, String type, Optional<UUID> id, Optional<String> metadata) {
        Json.parse(what, dataJson, 1);
        byte[] metadataBytes = metadata.map(m -> {
                    Json.parse("--metadata", m, 1);
                    return m.strip().getBytes(StandardCharsets.UTF_8);
                })
                .orElse(new byte[0]);
        return new EventData(
                id.orElseGet(UUID::randomUUID),
                type,
                dataJson.strip().getBytes(StandardCharsets.UTF_8),
                metadataBytes,
                ContentType.JSON);
    }

    /** Events from JSON lines; blank lines are skipped. */
    static List<EventData> jsonLines(String text) {
        List<EventData> events = new ArrayList<>();
        int lineNumber = 0;
        for (String line : (Iterable<String>) text.lines()::iterator) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = Json.parse("standard input", line, lineNumber);
            if (!node.isObject()) {
                throw CliException.usage("standard input line " + lineNumber
                        + ": expected a JSON object like {\"type\": \"OrderPlaced\", \"data\": {...}}, found "
                        + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
            events.add(fromObject(node, lineNumber));
        }
        if (events.isEmpty()) {
            throw CliException.usage("no events on standard input: give the data as an argument with --type,"
                    + " or JSON lines {\"type\": ..., \"data\": ...} on standard input");
        }
        return events;
    }

    /** All of standard input as strict UTF-8, at most {@link #MAX_INPUT_BYTES}. */
    static String readAll(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_INPUT_BYTES + 1);
        if (bytes.length > MAX_INPUT_BYTES) {
            throw CliException.usage(
                    "standard input is larger than " + (MAX_INPUT_BYTES >> 20) + " MiB; split it into several appends");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw CliException.usage("standard input is not valid UTF-8 text");
        }
    }

    private static EventData fromObject(JsonNode node, int line) {
        checkKeys(node, line);
        String type = text(node, "type", line)
                .orElseThrow(() -> CliException.usage("standard input line " + line + ": missing \"type\""));
        boolean hasData = node.has("data");
        boolean hasBase64 = node.has("dataBase64");
        if (hasData == hasBase64) {
            throw CliException.usage(
                    "standard input line " + line + ": give exactly one of \"data\" (JSON) or \"dataBase64\" (binary)");
        }
        byte[] data = hasData ? Json.compactBytes(node.get("data")) : base64(node, "dataBase64", line);
        ContentType contentType = contentType(node, line).orElse(hasData ? ContentType.JSON : ContentType.BINARY);
        byte[] metadata = node.has("metadata")
                ? Json.compactBytes(node.get("metadata"))
                : node.has("metadataBase64") ? base64(node, "metadataBase64", line) : new byte[0];
        UUID id = text(node, "id", line).map(s -> uuid(s, line)).orElseGet(UUID::randomUUID);
        return new EventData(id, type, data, metadata, contentType, tags(node, line));
    }

    private static void checkKeys(JsonNode node, int line) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            String key = it.next().getKey();
            if (!KNOWN_KEYS.contains(key) && !IGNORED_KEYS.contains(key)) {
                throw CliException.usage("standard input line " + line + ": unknown key \"" + key + "\" (expected "
                        + String.join(", ", KNOWN_KEYS) + ")");
            }
        }
    }

    private static Optional<String> text(JsonNode node, String key, int line) {
        JsonNode value = node.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw CliException.usage("standard input line " + line + ": \"" + key + "\" must be a string");
        }
        return Optional.of(value.asText());
    }

    private static List<String> tags(JsonNode node, int line) {
        JsonNode value = node.get("tags");
        if (value == null) {
            return List.of();
        }
        CliException notStrings = CliException.usage(
                "standard input line " + line + ": \"tags\" must be an array of strings, like [\"account:42\"]");
        if (!value.isArray()) {
            throw notStrings;
        }
        List<String> tags = new ArrayList<>();
        for (JsonNode tag : value) {
            if (!tag.isTextual()) {
                throw notStrings;
            }
            tags.add(tag.asText());
        }
        return tags;
    }

    private static byte[] base64(JsonNode node, String key, int line) {
        String value = text(node, key, line).orElse("");
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(
                    "standard input line " + line + ": \"" + key + "\" is not base64: " + e.getMessage());
        }
    }

    private static Optional<ContentType> contentType(JsonNode node, int line) {
        return text(node, "contentType", line).map(mime -> {
            for (ContentType type : ContentType.values()) {
                if (type.mimeType().equals(mime)) {
                    return type;
                }
            }
            throw CliException.usage("standard input line " + line + ": \"contentType\" must be "
                    + ContentType.JSON.mimeType() + " or " + ContentType.BINARY.mimeType() + ", not '" + mime + "'");
        });
    }

    private static UUID uuid(String text, int line) {
        try {
            return Uuids.parse(text);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("standard input line " + line + ": \"id\" " + e.getMessage());
        }
    }
}
