package io.factum.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as the writer proposes it. The {@code eventId} is the idempotency key: a retried append
 * carrying the same ids at the same place succeeds without writing again.
 *
 * <p>The byte arrays are owned by the record once it is built: callers must not change them
 * afterwards. {@link #equals} compares their contents.
 *
 * @param eventId unique id chosen by the client
 * @param type event type, 1 to {@link StoreLimits#maxEventTypeBytes()} UTF-8 bytes
 * @param data the payload, usually JSON
 * @param metadata event metadata, usually JSON ({@code $correlationId}, {@code $causationId}, ...)
 * @param contentType how {@code data} is encoded
 * @param tags tags for reads by {@link Query} (such as {@code account:42}), at most {@link
 *     TagLimits#maxTagsPerEvent()}, each at most {@link TagLimits#maxTagBytes()} UTF-8 bytes, no
 *     duplicates; checked by {@link StoreLimits#checkAppend}
 */
public record EventData(
        UUID eventId, String type, byte[] data, byte[] metadata, ContentType contentType, List<String> tags) {

    private static final byte[] EMPTY = new byte[0];

    public EventData {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(contentType, "contentType");
        tags = List.copyOf(tags);
    }

    /** An event without tags. */
    public EventData(UUID eventId, String type, byte[] data, byte[] metadata, ContentType contentType) {
        this(eventId, type, data, metadata, contentType, List.of());
    }

    /** This event with these tags instead of its own. */
    public EventData withTags(List<String> newTags) {
        return new EventData(eventId, type, data, metadata, contentType, newTags);
    }

    /** This event with these tags instead of its own. */
    public EventData withTags(String... newTags) {
        return withTags(List.of(newTags));
    }

    /** A JSON event with a random id and no metadata. */
    public static EventData json(String type, String json) {
        return new EventData(UUID.randomUUID(), type, json.getBytes(StandardCharsets.UTF_8), EMPTY, ContentType.JSON);
    }

    /** A JSON event with the given id and metadata. */
    public static EventData json(UUID eventId, String type, String json, String metadataJson) {
        return new EventData(
                eventId,
                type,
                json.getBytes(StandardCharsets.UTF_8),
                metadataJson.getBytes(StandardCharsets.UTF_8),
                ContentType.JSON);
    }

    /** A binary event with a random id and no metadata. */
    public static EventData binary(String type, byte[] data) {
        return new EventData(UUID.randomUUID(), type, data, EMPTY, ContentType.BINARY);
    }

    /** Total payload bytes, as counted against {@link StoreLimits#maxEventBytes()}. */
    public int sizeBytes() {
        return data.length + metadata.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventData e
                && eventId.equals(e.eventId)
                && type.equals(e.type)
                && Arrays.equals(data, e.data)
                && Arrays.equals(metadata, e.metadata)
                && contentType == e.contentType
                && tags.equals(e.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, type, Arrays.hashCode(data), Arrays.hashCode(metadata), contentType, tags);
    }

    @Override
    public String toString() {
        return "EventData[" + eventId + ", " + type + ", " + data.length + " bytes, " + contentType
                + (tags.isEmpty() ? "" : ", tags " + tags) + "]";
    }
}
