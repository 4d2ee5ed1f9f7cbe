package io.factum.client;

import com.google.protobuf.ByteString;
import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.SubscribeFrom;
import io.factum.protocol.dcb.AppendRequest;
import io.factum.protocol.dcb.AppendResponse;
import io.factum.protocol.dcb.Empty;
import io.factum.protocol.dcb.ProposedEvent;
import io.factum.protocol.dcb.ReadRequest;
import io.factum.protocol.dcb.SubscribeRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Translation between the contract's types and the messages of Factum's DCB service ({@code
 * factum.dcb.v1.Dcb}), client side. The proto types share their simple names with the contract's,
 * so they are written with their package here.
 */
final class DcbCodec {

    private static final Empty EMPTY = Empty.getDefaultInstance();

    private DcbCodec() {}

    static io.factum.protocol.dcb.Query query(Query query) {
        var out = io.factum.protocol.dcb.Query.newBuilder();
        for (QueryItem item : query.items()) {
            out.addItems(io.factum.protocol.dcb.QueryItem.newBuilder()
                    .addAllTypes(item.types())
                    .addAllTags(item.tags()));
        }
        return out.build();
    }

    static AppendRequest append(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        var request = AppendRequest.newBuilder();
        for (StreamAppend part : appends) {
            var out = io.factum.protocol.dcb.StreamAppend.newBuilder()
                    .setStream(part.stream())
                    .setExpected(expected(part.expected()));
            part.events().forEach(e -> out.addEvents(proposed(e)));
            request.addAppends(out);
        }
        condition.ifPresent(c -> request.setCondition(io.factum.protocol.dcb.AppendCondition.newBuilder()
                .setFailIfEventsMatch(query(c.failIfEventsMatch()))
                .setAfterPosition(c.afterPosition())));
        return request.build();
    }

    private static io.factum.protocol.dcb.ExpectedVersion expected(ExpectedVersion expected) {
        var out = io.factum.protocol.dcb.ExpectedVersion.newBuilder();
        switch (expected) {
            case ExpectedVersion.Any a -> out.setAny(EMPTY);
            case ExpectedVersion.NoStream n -> out.setNoStream(EMPTY);
            case ExpectedVersion.StreamExists s -> out.setStreamExists(EMPTY);
            case ExpectedVersion.Exact e -> out.setExact(e.version());
        }
        return out.build();
    }

    private static ProposedEvent proposed(EventData event) {
        return ProposedEvent.newBuilder()
                .setId(event.eventId().toString())
                .setType(event.type())
                .setData(ByteString.copyFrom(event.data()))
                .setMetadata(ByteString.copyFrom(event.metadata()))
                .setContentType(contentType(event.contentType()))
                .addAllTags(event.tags())
                .build();
    }

    /** One result per part, in order. */
    static List<AppendResult> results(AppendResponse response, int parts) {
        if (response.getResultsCount() != parts) {
            throw WireCodec.protocol(response.getResultsCount() + " results for " + parts + " streams");
        }
        List<AppendResult> results = new ArrayList<>(parts);
        for (var result : response.getResultsList()) {
            results.add(new AppendResult(result.getStreamVersion(), result.getPosition(), result.getWritten()));
        }
        return results;
    }

    /** Backwards from {@link ReadAllOptions#END} leaves the position out: the server starts at its head. */
    static ReadRequest read(Query query, long fromPosition, Direction direction, int maxCount) {
        var request = ReadRequest.newBuilder()
                .setQuery(query(query))
                .setDirection(
                        direction == Direction.FORWARDS
                                ? io.factum.protocol.dcb.Direction.FORWARDS
                                : io.factum.protocol.dcb.Direction.BACKWARDS)
                .setMaxCount(maxCount);
        if (direction == Direction.FORWARDS || fromPosition != ReadAllOptions.END) {
            request.setFromPosition(fromPosition);
        }
        return request.build();
    }

    static SubscribeRequest subscribe(Query query, SubscribeFrom from) {
        var request = SubscribeRequest.newBuilder().setQuery(query(query));
        switch (from) {
            case SubscribeFrom.Start s -> request.setStart(EMPTY);
            case SubscribeFrom.End e -> request.setEnd(EMPTY);
            case SubscribeFrom.After a -> request.setAfterPosition(a.versionOrPosition());
        }
        return request.build();
    }

    static RecordedEvent event(io.factum.protocol.dcb.RecordedEvent e) {
        UUID id;
        try {
            id = UUID.fromString(e.getId());
        } catch (IllegalArgumentException bad) {
            throw WireCodec.protocol("an event id of '" + e.getId() + "'");
        }
        return new RecordedEvent(
                e.getStream(),
                e.getVersion(),
                e.getPosition(),
                id,
                e.getType(),
                e.getData().toByteArray(),
                e.getMetadata().toByteArray(),
                e.getContentType() == io.factum.protocol.dcb.ContentType.JSON ? ContentType.JSON : ContentType.BINARY,
                Instant.ofEpochSecond(e.getCreatedSeconds(), e.getCreatedNanos()),
                e.getTagsList());
    }

    private static io.factum.protocol.dcb.ContentType contentType(ContentType type) {
        return type == ContentType.JSON
                ? io.factum.protocol.dcb.ContentType.JSON
                : io.factum.protocol.dcb.ContentType.BINARY;
    }
}
