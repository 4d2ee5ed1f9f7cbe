package io.factum.engine.crash;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.engine.crash.WorkloadLine.Part;
import io.factum.engine.crash.WorkloadLine.PartResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The content of every event the crash and corruption tests write, derived from the event's place
 * in its batch, so that the checker can tell a correct event from a damaged one without the child
 * having to print the payload. The padding length varies with the id (0 to 255 bytes) so that
 * frames have many sizes and kills and truncations land at many offsets within them; the tags too
 * are derived from the id, so every crash also exercises the tag and type index.
 */
final class EventPayload {
    static final String TYPE = "CrashTestEvent";

    private EventPayload() {}

    /**
     * The queries the checkers read after every crash and compare with {@code $all}: each tag on its
     * own, and a type with a tag (a leapfrog intersection in the tag index).
     */
    static final List<Query> QUERIES = List.of(
            Query.tagged("k:0"),
            Query.tagged("k:1"),
            Query.tagged("k:2"),
            Query.tagged("k:3"),
            Query.of(QueryItem.types(TYPE).withTags("third", "k:1")));

    static EventData eventData(String batchId, int part, int index, UUID id) {
        return new EventData(id, TYPE, data(batchId, part, index, id), metadata(batchId), ContentType.JSON, tags(id));
    }

    /** One of four bucket tags, and "third" for about a third of the events, all from the id. */
    static List<String> tags(UUID id) {
        String bucket = "k:" + Math.floorMod(id.getMostSignificantBits(), 4);
        return Math.floorMod(id.getLeastSignificantBits() >> 8, 3) == 0 ? List.of(bucket, "third") : List.of(bucket);
    }

    /**
     * Appends a submitted batch: {@link EventStore#append} for one part, {@link
     * EventStore#appendMulti} for several. Returns the ack line for the store's answer.
     *
     * @throws io.factum.api.FactumException as the store throws it
     */
    static WorkloadLine.Acked append(EventStore store, WorkloadLine.Submitted batch) {
        List<StreamAppend> appends = new ArrayList<>();
        for (int p = 0; p < batch.parts().size(); p++) {
            Part part = batch.parts().get(p);
            List<EventData> events = new ArrayList<>();
            for (int i = 0; i < part.ids().size(); i++) {
                events.add(eventData(batch.batchId(), p, i, part.ids().get(i)));
            }
            appends.add(new StreamAppend(part.stream(), part.expected(), events));
        }
        List<AppendResult> results = appends.size() == 1
                ? List.of(store.append(
                        appends.getFirst().stream(),
                        appends.getFirst().expected(),
                        appends.getFirst().events()))
                : store.appendMulti(appends);
        List<PartResult> acked = new ArrayList<>();
        for (int p = 0; p < results.size(); p++) {
            Part part = batch.parts().get(p);
            acked.add(new PartResult(
                    part.stream(),
                    results.get(p).streamVersion(),
                    results.get(p).position(),
                    part.ids()));
        }
        return new WorkloadLine.Acked(batch.batchId(), acked);
    }

    /** True when the stored event carries exactly what {@link #eventData} wrote. */
    static boolean matches(RecordedEvent event, String batchId, int part, int index) {
        return event.type().equals(TYPE)
                && event.contentType() == ContentType.JSON
                && Arrays.equals(event.data(), data(batchId, part, index, event.eventId()))
                && Arrays.equals(event.metadata(), metadata(batchId))
                && event.tags().equals(tags(event.eventId()));
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
