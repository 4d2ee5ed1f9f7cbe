package io.factum.server.grpc;

import com.google.protobuf.ByteString;
import io.factum.api.AppendCondition;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.protocol.dcb.ProposedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Translation between the messages of {@code factum.dcb.v1} and the store's types. Every decoding
 * failure is an INVALID_ARGUMENT naming the field by its path in the request ({@code
 * appends[0].events[2].tags[1]}), so malformed input never reaches the store.
 */
final class DcbCodec {

    private DcbCodec() {}

    /** A query: at least one item, each naming a type or a tag, within the store's tag limits. */
    static Query query(io.factum.protocol.dcb.Query query, String field, StoreLimits limits) {
        if (query.getItemsCount() == 0) {
            throw GrpcErrors.invalidArgument(
                    field + ".items: a query needs at least one item (to read every event, read $all)");
        }
        List<QueryItem> items = new ArrayList<>(query.getItemsCount());
        for (int i = 0; i < query.getItemsCount(); i++) {
            io.factum.protocol.dcb.QueryItem item = query.getItems(i);
            if (item.getTypesCount() == 0 && item.getTagsCount() == 0) {
                throw GrpcErrors.invalidArgument(field + ".items[" + i
                        + "]: names no type and no tag, so it would match every event; name at least one");
            }
            items.add(new QueryItem(item.getTypesList(), item.getTagsList()));
        }
        Query result = new Query(items);
        limits.checkQuery(field, result);
        return result;
    }

    /** A condition's position: -1 (no matching event may exist) or a position. */
    static AppendCondition condition(io.factum.protocol.dcb.AppendCondition condition, StoreLimits limits) {
        if (!condition.hasFailIfEventsMatch()) {
            throw GrpcErrors.invalidArgument("condition.fail_if_events_match: is required");
        }
        Query query = query(condition.getFailIfEventsMatch(), "condition.fail_if_events_match", limits);
        if (condition.getAfterPosition() < -1) {
            throw GrpcErrors.invalidArgument("condition.after_position: " + condition.getAfterPosition()
                    + " is not a position nor -1 (no matching event may exist)");
        }
        return new AppendCondition(query, condition.getAfterPosition());
    }

    /** An absent expectation is {@code any}, the proto3 default. */
    static ExpectedVersion expected(io.factum.protocol.dcb.ExpectedVersion expected, String field) {
        return switch (expected.getKindCase()) {
            case ANY, KIND_NOT_SET -> ExpectedVersion.any();
            case NO_STREAM -> ExpectedVersion.noStream();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXACT -> ProtoCodec.exact(expected.getExact(), field + ".exact");
        };
    }

    /** An event to append; its id is required, as it is the idempotency key of a retry. */
    static EventData event(ProposedEvent event, String field, StoreLimits limits) {
        if (event.getId().isEmpty()) {
            throw GrpcErrors.invalidArgument(field + ".id: an event id (a UUID) is required");
        }
        UUID id;
        try {
            id = UUID.fromString(event.getId());
        } catch (IllegalArgumentException e) {
            throw GrpcErrors.invalidArgument(
                    field + ".id: '" + ProtoCodec.abbreviate(event.getId()) + "' is not a UUID");
        }
        if (event.getType().isEmpty()) {
            throw GrpcErrors.invalidArgument(field + ".type: an event type is required");
        }
        ContentType contentType =
                switch (event.getContentType()) {
                    case JSON -> ContentType.JSON;
                    case BINARY -> ContentType.BINARY;
                    case UNRECOGNIZED ->
                        throw GrpcErrors.invalidArgument(field + ".content_type: " + event.getContentTypeValue()
                                + " is not JSON (0) or BINARY (1)");
                };
        List<String> tags = event.getTagsList();
        if (!tags.isEmpty()) {
            limits.checkTags(field + ".tags", tags);
        }
        return new EventData(
                id,
                event.getType(),
                event.getData().toByteArray(),
                event.getMetadata().toByteArray(),
                contentType,
                tags);
    }

    static io.factum.protocol.dcb.RecordedEvent recorded(RecordedEvent event) {
        return io.factum.protocol.dcb.RecordedEvent.newBuilder()
                .setStream(event.stream())
                .setVersion(event.version())
                .setPosition(event.position())
                .setId(event.eventId().toString())
                .setType(event.type())
                .setData(ByteString.copyFrom(event.data()))
                .setMetadata(ByteString.copyFrom(event.metadata()))
                .setContentType(
                        event.contentType() == ContentType.JSON
                                ? io.factum.protocol.dcb.ContentType.JSON
                                : io.factum.protocol.dcb.ContentType.BINARY)
                .addAllTags(event.tags())
                .setCreatedSeconds(event.created().getEpochSecond())
                .setCreatedNanos(event.created().getNano())
                .build();
    }
}
