package io.factum.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.protocol.FactumWire;
import io.factum.protocol.shared.StreamIdentifier;
import io.factum.protocol.streams.ReadResp;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Translation between protocol messages and the store's types. Every decoding failure becomes an
 * INVALID_ARGUMENT naming the field, so malformed input never reaches the store.
 */
public final class ProtoCodec {

    /** .NET ticks (100 ns since 0001-01-01 UTC) at the Unix epoch, the unit of gossip timestamps. */
    static final long DOTNET_TICKS_AT_EPOCH = 621_355_968_000_000_000L;

    static final String TYPE = "type";
    static final String CONTENT_TYPE = "content-type";
    static final String CREATED = "created";

    private ProtoCodec() {}

    /** A stream name from its identifier: non-empty, valid UTF-8. */
    public static String streamName(StreamIdentifier identifier, String field) {
        ByteString bytes = identifier.getStreamName();
        if (bytes.isEmpty()) {
            throw GrpcErrors.invalidArgument(field + ": a stream name is required");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw GrpcErrors.invalidArgument(field + ": the stream name is not valid UTF-8");
        }
    }

    public static StreamIdentifier streamIdentifier(String stream) {
        return StreamIdentifier.newBuilder()
                .setStreamName(ByteString.copyFromUtf8(stream))
                .build();
    }

    public static UUID uuid(io.factum.protocol.shared.UUID id, String field) {
        return switch (id.getValueCase()) {
            case STRUCTURED ->
                new UUID(
                        id.getStructured().getMostSignificantBits(),
                        id.getStructured().getLeastSignificantBits());
            case STRING -> {
                try {
                    yield UUID.fromString(id.getString());
                } catch (IllegalArgumentException e) {
                    throw GrpcErrors.invalidArgument(field + ": '" + abbreviate(id.getString()) + "' is not a UUID");
                }
            }
            case VALUE_NOT_SET -> throw GrpcErrors.invalidArgument(field + ": an event id is required");
        };
    }

    public static io.factum.protocol.shared.UUID uuid(UUID id, boolean asString) {
        var builder = io.factum.protocol.shared.UUID.newBuilder();
        if (asString) {
            return builder.setString(id.toString()).build();
        }
        return builder.setStructured(io.factum.protocol.shared.UUID.Structured.newBuilder()
                        .setMostSignificantBits(id.getMostSignificantBits())
                        .setLeastSignificantBits(id.getLeastSignificantBits()))
                .build();
    }

    /** An exact revision must fit a signed long; larger numbers are not revisions. */
    public static ExpectedVersion exact(long revision, String field) {
        if (revision < 0) {
            throw GrpcErrors.invalidArgument(
                    field + ": revision " + Long.toUnsignedString(revision) + " is out of range");
        }
        return ExpectedVersion.exactly(revision);
    }

    /** An event to append, from the {@code metadata} map, id, data and custom metadata. */
    public static EventData eventData(
            io.factum.protocol.shared.UUID id,
            Map<String, String> metadata,
            ByteString data,
            ByteString customMetadata,
            int index) {
        String field = "events[" + index + "]";
        String type = metadata.get(TYPE);
        String contentType = metadata.get(CONTENT_TYPE);
        if (type == null || contentType == null) {
            throw GrpcErrors.missingMetadata(
                    field + ": the '" + (type == null ? TYPE : CONTENT_TYPE) + "' metadata property is required");
        }
        String tags = metadata.get(FactumWire.TAGS_PROPERTY);
        return new EventData(
                uuid(id, field + ".id"),
                type,
                data.toByteArray(),
                customMetadata.toByteArray(),
                contentType(contentType),
                tags == null ? List.of() : TagsProperty.parse(tags, field + ".metadata." + FactumWire.TAGS_PROPERTY));
    }

    /** JSON when declared so; any other declared type is stored as binary, as KurrentDB does. */
    static ContentType contentType(String mimeType) {
        return mimeType.equals(ContentType.JSON.mimeType()) ? ContentType.JSON : ContentType.BINARY;
    }

    public static ReadResp.ReadEvent.RecordedEvent recordedEvent(RecordedEvent event, boolean uuidAsString) {
        var recorded = ReadResp.ReadEvent.RecordedEvent.newBuilder();
        if (!event.tags().isEmpty()) {
            recorded.putMetadata(FactumWire.TAGS_PROPERTY, TagsProperty.write(event.tags()));
        }
        return recorded.setId(uuid(event.eventId(), uuidAsString))
                .setStreamIdentifier(streamIdentifier(event.stream()))
                .setStreamRevision(event.version())
                .setPreparePosition(event.position())
                .setCommitPosition(event.position())
                .putMetadata(TYPE, event.type())
                .putMetadata(CONTENT_TYPE, event.contentType().mimeType())
                .putMetadata(CREATED, Long.toString(unixTicks(event.created())))
                .setCustomMetadata(ByteString.copyFrom(event.metadata()))
                .setData(ByteString.copyFrom(event.data()))
                .build();
    }

    public static ReadResp readEvent(RecordedEvent event, boolean uuidAsString) {
        return ReadResp.newBuilder()
                .setEvent(ReadResp.ReadEvent.newBuilder()
                        .setEvent(recordedEvent(event, uuidAsString))
                        .setCommitPosition(event.position()))
                .build();
    }

    /** "created" as the clients parse it: 100 ns units since the Unix epoch, as a decimal string. */
    static long unixTicks(Instant instant) {
        return instant.getEpochSecond() * 10_000_000L + instant.getNano() / 100;
    }

    static long dotnetTicks(Instant instant) {
        return DOTNET_TICKS_AT_EPOCH + unixTicks(instant);
    }

    /** A protocol timestamp (checkpoints, caught-up). */
    static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
