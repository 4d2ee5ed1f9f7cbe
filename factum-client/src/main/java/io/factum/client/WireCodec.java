package io.factum.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Value;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.protocol.FactumWire;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.shared.StreamIdentifier;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.SchemaFormat;
import io.factum.protocol.v2.streams.SchemaInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Translation between the contract's types and the protocol's messages, client side. */
final class WireCodec {

    static final String TYPE = "type";
    static final String CONTENT_TYPE = "content-type";
    static final String CREATED = "created";

    private static final Empty EMPTY = Empty.getDefaultInstance();

    private WireCodec() {}

    static StreamIdentifier stream(String name) {
        return StreamIdentifier.newBuilder()
                .setStreamName(ByteString.copyFromUtf8(name))
                .build();
    }

    static io.factum.protocol.shared.UUID uuid(UUID id) {
        return io.factum
                .protocol
                .shared
                .UUID
                .newBuilder()
                .setStructured(io.factum.protocol.shared.UUID.Structured.newBuilder()
                        .setMostSignificantBits(id.getMostSignificantBits())
                        .setLeastSignificantBits(id.getLeastSignificantBits()))
                .build();
    }

    static UUID uuid(io.factum.protocol.shared.UUID id) {
        return switch (id.getValueCase()) {
            case STRUCTURED ->
                new UUID(
                        id.getStructured().getMostSignificantBits(),
                        id.getStructured().getLeastSignificantBits());
            case STRING -> UUID.fromString(id.getString());
            case VALUE_NOT_SET -> throw protocol("an event without an id");
        };
    }

    static AppendReq.Options.Builder appendOptions(String stream, ExpectedVersion expected) {
        var options = AppendReq.Options.newBuilder().setStreamIdentifier(stream(stream));
        switch (expected) {
            case ExpectedVersion.Any a -> options.setAny(EMPTY);
            case ExpectedVersion.NoStream n -> options.setNoStream(EMPTY);
            case ExpectedVersion.StreamExists s -> options.setStreamExists(EMPTY);
            case ExpectedVersion.Exact e -> options.setRevision(e.version());
        }
        return options;
    }

    static AppendReq proposed(EventData event) {
        return AppendReq.newBuilder()
                .setProposedMessage(AppendReq.ProposedMessage.newBuilder()
                        .setId(uuid(event.eventId()))
                        .putMetadata(TYPE, event.type())
                        .putMetadata(CONTENT_TYPE, event.contentType().mimeType())
                        .setCustomMetadata(ByteString.copyFrom(event.metadata()))
                        .setData(ByteString.copyFrom(event.data())))
                .build();
    }

    /** A v2 record; the metadata travels exactly, as {@link FactumWire#METADATA_PROPERTY}. */
    static AppendRecord record(EventData event) {
        var record = AppendRecord.newBuilder()
                .setRecordId(event.eventId().toString())
                .setSchema(SchemaInfo.newBuilder()
                        .setName(event.type())
                        .setFormat(
                                event.contentType() == ContentType.JSON
                                        ? SchemaFormat.SCHEMA_FORMAT_JSON
                                        : SchemaFormat.SCHEMA_FORMAT_BYTES))
                .setData(ByteString.copyFrom(event.data()));
        if (event.metadata().length > 0) {
            record.putProperties(
                    FactumWire.METADATA_PROPERTY,
                    Value.newBuilder()
                            .setStringValue(Base64.getEncoder().encodeToString(event.metadata()))
                            .build());
        }
        return record.build();
    }

    /** KurrentDB's raw expectation: a revision, or -1 (no stream), -2 (any), -4 (stream exists). */
    static long raw(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> -2;
            case ExpectedVersion.NoStream n -> -1;
            case ExpectedVersion.StreamExists s -> -4;
            case ExpectedVersion.Exact e -> e.version();
        };
    }

    static ExpectedVersion fromRaw(long raw) {
        if (raw >= 0) {
            return ExpectedVersion.exactly(raw);
        }
        if (raw == -1) {
            return ExpectedVersion.noStream();
        }
        if (raw == -2) {
            return ExpectedVersion.any();
        }
        if (raw == -4) {
            return ExpectedVersion.streamExists();
        }
        throw protocol("an expected version of " + raw);
    }

    /** Options shared by reads and subscriptions: structured ids, newer messages (caught-up...). */
    static ReadReq.Options.Builder readOptions() {
        return ReadReq.Options.newBuilder()
                .setUuidOption(ReadReq.Options.UUIDOption.newBuilder().setStructured(EMPTY))
                .setControlOption(ReadReq.Options.ControlOption.newBuilder().setCompatibility(1))
                .setNoFilter(EMPTY);
    }

    /** A filter for reads and subscriptions of $all; {@code interval} is the checkpoint window. */
    static void filter(ReadReq.Options.Builder options, EventFilter filter, int interval) {
        var out = ReadReq.Options.FilterOptions.newBuilder().setMax(interval).setCheckpointIntervalMultiplier(1);
        var expression = ReadReq.Options.FilterOptions.Expression.newBuilder();
        switch (filter) {
            case EventFilter.None n -> {
                options.setNoFilter(EMPTY);
                return;
            }
            case EventFilter.StreamNamePrefix p -> out.setStreamIdentifier(expression.addAllPrefix(p.prefixes()));
            case EventFilter.StreamNameRegex r ->
                out.setStreamIdentifier(expression.setRegex(r.pattern().pattern()));
            case EventFilter.EventTypePrefix p -> out.setEventType(expression.addAllPrefix(p.prefixes()));
            case EventFilter.EventTypeRegex r ->
                out.setEventType(expression.setRegex(r.pattern().pattern()));
        }
        options.setFilter(out);
    }

    static RecordedEvent event(ReadResp.ReadEvent read) {
        ReadResp.ReadEvent.RecordedEvent e = read.hasEvent() ? read.getEvent() : read.getLink();
        String type = e.getMetadataMap().get(TYPE);
        String contentType = e.getMetadataMap().get(CONTENT_TYPE);
        String created = e.getMetadataMap().get(CREATED);
        if (type == null || created == null) {
            throw protocol("an event without its type or creation time");
        }
        return new RecordedEvent(
                e.getStreamIdentifier().getStreamName().toStringUtf8(),
                e.getStreamRevision(),
                e.getCommitPosition(),
                uuid(e.getId()),
                type,
                e.getData().toByteArray(),
                e.getCustomMetadata().toByteArray(),
                ContentType.JSON.mimeType().equals(contentType) ? ContentType.JSON : ContentType.BINARY,
                instant(created),
                tags(e.getMetadataMap()));
    }

    /** The tags a Factum server puts in the system metadata; none from other servers. */
    private static List<String> tags(Map<String, String> metadata) {
        String json = metadata.get(FactumWire.TAGS_PROPERTY);
        return json == null ? List.of() : TagsJson.read(json);
    }

    /** "created": 100 ns units since the Unix epoch, as a decimal string. */
    private static Instant instant(String ticks) {
        try {
            long value = Long.parseLong(ticks);
            return Instant.ofEpochSecond(Math.floorDiv(value, 10_000_000L), Math.floorMod(value, 10_000_000L) * 100);
        } catch (NumberFormatException e) {
            throw protocol("a creation time of '" + ticks + "'");
        }
    }

    static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static StoreFailedException protocol(String what) {
        return new StoreFailedException("the server broke the protocol: it sent " + what);
    }
}
