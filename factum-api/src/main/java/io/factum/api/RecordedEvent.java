package io.factum.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * An event as stored: immutable, with its place in its stream ({@code version}) and in the global
 * log ({@code position}). Positions are dense and strictly increasing in commit order. {@code tags}
 * are the tags the writer gave the event, in its order, for reads by {@link Query}.
 *
 * <p>A tombstone appears in {@code $all} as an event of type {@link SystemNames#STREAM_DELETED_TYPE}
 * whose version is {@link #TOMBSTONE_VERSION}.
 */
public record RecordedEvent(
        String stream,
        long version,
        long position,
        UUID eventId,
        String type,
        byte[] data,
        byte[] metadata,
        ContentType contentType,
        Instant created,
        List<String> tags) {

    /** The stream version a tombstone record carries (KurrentDB's {@code EventNumber.DeletedStream}). */
    public static final long TOMBSTONE_VERSION = Long.MAX_VALUE;

    public RecordedEvent {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(created, "created");
        tags = List.copyOf(tags);
    }

    /** A record without tags. */
    public RecordedEvent(
            String stream,
            long version,
            long position,
            UUID eventId,
            String type,
            byte[] data,
            byte[] metadata,
            ContentType contentType,
            Instant created) {
        this(stream, version, position, eventId, type, data, metadata, contentType, created, List.of());
    }

    public String dataAsString() {
        return new String(data, StandardCharsets.UTF_8);
    }

    public String metadataAsString() {
        return new String(metadata, StandardCharsets.UTF_8);
    }

    public boolean isTombstone() {
        return version == TOMBSTONE_VERSION;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordedEvent e
                && stream.equals(e.stream)
                && version == e.version
                && position == e.position
                && eventId.equals(e.eventId)
                && type.equals(e.type)
                && Arrays.equals(data, e.data)
                && Arrays.equals(metadata, e.metadata)
                && contentType == e.contentType
                && created.equals(e.created)
                && tags.equals(e.tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, version, position, eventId);
    }

    @Override
    public String toString() {
        return "RecordedEvent[" + stream + "@" + version + ", position " + position + ", " + type + ", " + eventId
                + "]";
    }
}
