package io.factum.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Events as the HTTP API writes and reads them in JSON.
 *
 * <p>An event with content type {@code application/json} carries its data as a JSON value; one with
 * {@code application/octet-stream} carries it as a base64 string. Metadata is a JSON value. Empty
 * data or metadata is left out. Bytes stored by another client that claim to be JSON but do not
 * parse are shown in base64, flagged by {@code "dataEncoding": "base64"} (or {@code
 * metadataEncoding}), so that every stored event can be shown. Numbers keep every digit: decimals
 * are read as exact decimals, never as doubles. Output is compact, on one line, as an event stream
 * needs. Thread-safe.
 */
final class JsonEvents {

    static final String JSON = ContentType.JSON.mimeType();
    static final String BINARY = ContentType.BINARY.mimeType();

    private static final Set<String> EVENT_FIELDS =
            Set.of("eventId", "type", "contentType", "data", "metadata", "tags");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    ObjectMapper mapper() {
        return mapper;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    /**
     * Parses a request body as JSON.
     *
     * @param field what the body is, for the error message
     */
    JsonNode parse(byte[] body, String field) {
        if (body.length == 0) {
            throw HttpProblem.badRequest(field, field + ": the request body is empty; a JSON document is expected");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node.isMissingNode()) {
                throw HttpProblem.badRequest(field, field + ": the request body holds no JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            // Limits (nesting depth, number length) are reported without a location.
            var at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw HttpProblem.badRequest(field, field + ": malformed JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw HttpProblem.badRequest(field, field + ": unreadable JSON: " + e.getMessage());
        }
    }

    /** The events of an append body: a JSON array of event objects. */
    List<EventData> parseAppend(byte[] body) {
        JsonNode root = parse(body, "body");
        if (!root.isArray()) {
            throw HttpProblem.badRequest("body", "body: must be a JSON array of events, found " + describe(root));
        }
        List<EventData> events = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            events.add(parseEvent(root.get(i), "events[" + i + "]"));
        }
        return events;
    }

    EventData parseEvent(JsonNode node, String field) {
        if (!node.isObject()) {
            throw HttpProblem.badRequest(field, field + ": must be an event object, found " + describe(node));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!EVENT_FIELDS.contains(name)) {
                throw HttpProblem.badRequest(
                        field + "." + name,
                        field + "." + name + ": unknown field (an event has eventId, type, contentType, data,"
                                + " metadata, tags)");
            }
        }
        UUID id = eventId(node.get("eventId"), field + ".eventId");
        String type = text(node.get("type"), field + ".type")
                .orElseThrow(() -> HttpProblem.badRequest(field + ".type", field + ".type: is required"));
        String contentType =
                text(node.get("contentType"), field + ".contentType").orElse(JSON);
        byte[] data;
        ContentType kind;
        if (contentType.equals(JSON)) {
            kind = ContentType.JSON;
            data = jsonBytes(node.get("data"));
        } else if (contentType.equals(BINARY)) {
            kind = ContentType.BINARY;
            data = base64(node.get("data"), field + ".data");
        } else {
            throw HttpProblem.badRequest(
                    field + ".contentType",
                    field + ".contentType: '" + RequestTarget.abbreviate(contentType) + "' is not " + JSON + " or "
                            + BINARY);
        }
        return new EventData(
                id, type, data, jsonBytes(node.get("metadata")), kind, tags(node.get("tags"), field + ".tags"));
    }

    /** An array of strings; the store checks their number, length and uniqueness. */
    private static List<String> tags(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw HttpProblem.badRequest(field, field + ": must be an array of strings, found " + describe(node));
        }
        List<String> tags = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            tags.add(text(node.get(i), field + "[" + i + "]")
                    .orElseThrow(() -> HttpProblem.badRequest(field, field + ": a tag may not be null")));
        }
        return tags;
    }

    private static UUID eventId(JsonNode node, String field) {
        Optional<String> text = text(node, field);
        if (text.isEmpty()) {
            return UUID.randomUUID();
        }
        if (!UUID_TEXT.matcher(text.get()).matches()) {
            throw HttpProblem.badRequest(
                    field, field + ": '" + RequestTarget.abbreviate(text.get()) + "' is not a UUID (8-4-4-4-12 hex)");
        }
        return UUID.fromString(text.get());
    }

    private static Optional<String> text(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw HttpProblem.badRequest(field, field + ": must be a string, found " + describe(node));
        }
        return Optional.of(node.textValue());
    }

    private byte[] jsonBytes(JsonNode node) {
        if (node == null || node.isNull()) {
            return new byte[0];
        }
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree did not write back", e);
        }
    }

    private static byte[] base64(JsonNode node, String field) {
        Optional<String> text = text(node, field);
        if (text.isEmpty()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(text.get());
        } catch (IllegalArgumentException e) {
            throw HttpProblem.badRequest(
                    field, field + ": not valid base64 (required for " + BINARY + "): " + e.getMessage());
        }
    }

    /** The JSON form of a stored event. */
    ObjectNode toNode(RecordedEvent event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("stream", event.stream());
        node.put("version", event.version());
        node.put("position", event.position());
        node.put("eventId", event.eventId().toString());
        node.put("type", event.type());
        node.put("contentType", event.contentType().mimeType());
        node.put("created", event.created().toString());
        putPayload(node, "data", event.data(), event.contentType() == ContentType.JSON);
        putPayload(node, "metadata", event.metadata(), true);
        if (!event.tags().isEmpty()) {
            var tags = node.putArray("tags");
            event.tags().forEach(tags::add);
        }
        return node;
    }

    private void putPayload(ObjectNode node, String name, byte[] bytes, boolean json) {
        if (bytes.length == 0) {
            return;
        }
        if (json) {
            Optional<JsonNode> parsed = tryParse(bytes);
            if (parsed.isPresent()) {
                node.set(name, parsed.get());
                return;
            }
            node.put(name + "Encoding", "base64");
        }
        node.put(name, Base64.getEncoder().encodeToString(bytes));
    }

    private Optional<JsonNode> tryParse(byte[] bytes) {
        try {
            JsonNode node = mapper.readTree(bytes);
            return node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One line of compact JSON. */
    String write(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not write", e);
        }
    }

    static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
