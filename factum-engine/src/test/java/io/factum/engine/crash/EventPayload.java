package io.factum.engine.crash;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The content of every event the crash and corruption tests write, derived from the event's place
 * in its batch, so that the checker can tell a correct event from a damaged one without the child
 * having to print the payload. The padding length varies with the id (0 to 255 bytes) so that
 * frames have many sizes and kills and truncations land at many offsets within them.
 */
final class EventPayload {
    static final String TYPE = "CrashTestEvent";

    private EventPayload() {}

    static EventData eventData(String batchId, int part, int index, UUID id) {
        return new EventData(id, TYPE, data(batchId, part, index, id), metadata(batchId), ContentType.JSON);
    }

    /** True when the stored event carries exactly what {@link #eventData} wrote. */
    static boolean matches(RecordedEvent event, String batchId, int part, int index) {
        return event.type().equals(TYPE)
                && event.contentType() == ContentType.JSON
                && Arrays.equals(event.data(), data(batchId, part, index, event.eventId()))
                && Arrays.equals(event.metadata(), metadata(batchId));
    }

    private static byte[] data(String batchId, int part, int index, UUID id) {
        int padLength = (int) (id.getLeastSignificantBits() & 0xFF);
        String json = "{\"batch\":\"" + batchId + "\",\"part\":" + part + ",\"index\":" + index + ",\"pad\":\""
                + "x".repeat(padLength) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] metadata(String batchId) {
        return ("{\"$correlationId\":\"" + batchId + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
