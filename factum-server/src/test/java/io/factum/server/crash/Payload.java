package io.factum.server.crash;

import com.eventstore.dbclient.EventData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The content of every event the workload writes, derived from its batch and place, so that the
 * checker can tell a correct event from a damaged or misplaced one without keeping the bytes. The
 * padding (0 to 255 bytes, from the id) gives frames many sizes, so kills land at many offsets.
 */
final class Payload {

    static final String TYPE = "ServerCrashEvent";
    static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Payload() {}

    static EventData event(String batchId, int index, UUID id) {
        return EventData.builderAsJson(TYPE, data(batchId, index, id))
                .eventId(id)
                .metadataAsBytes(metadata(batchId))
                .build();
    }

    static byte[] data(String batchId, int index, UUID id) {
        int pad = (int) (id.getLeastSignificantBits() & 0xFF);
        return ("{\"batch\":\"" + batchId + "\",\"index\":" + index + ",\"pad\":\"" + "x".repeat(pad) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * True when the stored metadata is what was written. The official client adds its tracing
     * context ({@code $traceId}, {@code $spanId}) to JSON metadata before sending, re-encoding it,
     * so the comparison is of JSON trees without those two fields.
     */
    static boolean sameMetadata(byte[] written, byte[] stored) {
        try {
            JsonNode storedTree = JSON.readTree(stored);
            if (storedTree instanceof ObjectNode object) {
                object.remove(List.of("$traceId", "$spanId"));
            }
            return JSON.readTree(written).equals(storedTree);
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] metadata(String batchId) {
        return ("{\"$correlationId\":\"" + batchId + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
