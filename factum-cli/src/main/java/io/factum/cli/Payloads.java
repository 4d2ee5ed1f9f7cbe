package io.factum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Optional;

/** How event fields are shown: as table cells and as JSON. Stateless and thread-safe. */
final class Payloads {

    /** Fixed width (24 characters) so that the created column lines up. */
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Payloads() {}

    static String created(Instant instant) {
        return CREATED.format(instant);
    }

    static String version(RecordedEvent event) {
        return event.isTombstone() ? "tombstone" : Long.toString(event.version());
    }

    /** The data as one line of text: compact JSON when it is JSON, else a note on its size. */
    static String dataCell(RecordedEvent event) {
        if (event.contentType() == ContentType.JSON) {
            Optional<JsonNode> json = Json.tryParse(event.data());
            if (json.isPresent()) {
                return Json.compact(json.get());
            }
        }
        return event.data().length == 0 ? "(empty)" : "(" + kind(event) + ", " + event.data().length + " bytes)";
    }

    /**
     * Every field of the event as one JSON object. Data is embedded as JSON when the event says it is
     * JSON and it parses; metadata when it parses; otherwise each is given base64-encoded under
     * {@code dataBase64} / {@code metadataBase64}, so nothing is lost. {@code tags} is there when the
     * event has tags (as {@code tombstone} only for tombstones), so a store without tags prints
     * what it always did.
     */
    static ObjectNode toJson(RecordedEvent event) {
        ObjectNode node = Json.object();
        node.put("position", event.position());
        node.put("stream", event.stream());
        node.put("version", event.version());
        if (event.isTombstone()) {
            node.put("tombstone", true);
        }
        node.put("id", event.eventId().toString());
        node.put("type", event.type());
        node.put("contentType", event.contentType().mimeType());
        node.put("created", event.created().toString());
        if (!event.tags().isEmpty()) {
            event.tags().forEach(node.putArray("tags")::add);
        }
        putPayload(node, "data", event.data(), event.contentType() == ContentType.JSON);
        putPayload(node, "metadata", event.metadata(), true);
        return node;
    }

    private static void putPayload(ObjectNode node, String name, byte[] bytes, boolean mayBeJson) {
        Optional<JsonNode> json = mayBeJson ? Json.tryParse(bytes) : Optional.empty();
        if (json.isPresent()) {
            node.set(name, json.get());
        } else {
            node.put(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static String kind(RecordedEvent event) {
        return event.contentType() == ContentType.JSON ? "not valid JSON" : "binary";
    }
}
