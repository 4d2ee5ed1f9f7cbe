package io.factum.client;

import io.factum.api.Direction;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.streams.StreamsGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads and subscription requests over {@code Streams.Read}.
 *
 * <p>A stream read asks for one event more than the caller wants: whether it came tells whether
 * the read reached the end of the stream; the server's {@code last_stream_position} message gives
 * the stream's last version. A read of {@code $all} takes where the next page starts and whether
 * the log's end was reached from the Factum server's trailers, because with a filter the store
 * examines records past its last match, which no KurrentDB message reports; against another
 * server they are derived from the page (exact without a filter).
 *
 * <p>Positions: a forwards read of {@code $all} starts at the given position (inclusive), a
 * backwards one before it (exclusive), so a backwards read from {@code p} asks for {@code p + 1}.
 */
final class Reader {

    private static final Empty EMPTY = Empty.getDefaultInstance();

    private final RemoteEventStore.CallRunner runner;

    Reader(RemoteEventStore.CallRunner runner) {
        this.runner = runner;
    }

    ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        var options = WireCodec.readOptions()
                .setStream(ReadReq.Options.StreamOptions.newBuilder()
                        .setStreamIdentifier(WireCodec.stream(stream))
                        .setRevision(fromVersion))
                .setReadDirection(direction(direction))
                .setCount(maxCount + 1L);
        List<ReadResp> responses = read(stream, options).value();
        List<RecordedEvent> events = new ArrayList<>();
        OptionalLong lastVersion = OptionalLong.empty();
        for (ReadResp response : responses) {
            switch (response.getContentCase()) {
                case STREAM_NOT_FOUND -> {
                    return new ReadStreamResult.NotFound(stream);
                }
                case EVENT -> events.add(WireCodec.event(response.getEvent()));
                case LAST_STREAM_POSITION -> lastVersion = OptionalLong.of(response.getLastStreamPosition());
                default -> {}
            }
        }
        boolean endOfStream = events.size() <= maxCount;
        List<RecordedEvent> page = endOfStream ? events : events.subList(0, maxCount);
        long last = lastVersion.orElseGet(() -> highestVersion(events));
        return new ReadStreamResult.Found(page, last, endOfStream);
    }

    private static long highestVersion(List<RecordedEvent> events) {
        return events.stream().mapToLong(RecordedEvent::version).max().orElse(-1);
    }

    ReadAllResult readAll(ReadAllOptions read) {
        boolean forwards = read.direction() == Direction.FORWARDS;
        var all = ReadReq.Options.AllOptions.newBuilder();
        if (forwards) {
            all.setPosition(position(read.fromPosition()));
        } else if (read.fromPosition() >= ReadAllOptions.END - 1) {
            all.setEnd(EMPTY);
        } else {
            all.setPosition(position(read.fromPosition() + 1));
        }
        var options = WireCodec.readOptions()
                .setAll(all)
                .setReadDirection(direction(read.direction()))
                .setCount(read.maxCount());
        WireCodec.filter(options, read.filter(), SubscribeAllOptions.DEFAULT_CHECKPOINT_INTERVAL);
        Calls.Answer<List<ReadResp>> answer = read("$all", options);
        List<RecordedEvent> events = new ArrayList<>();
        for (ReadResp response : answer.value()) {
            if (response.hasEvent()) {
                events.add(WireCodec.event(response.getEvent()));
            }
        }
        OptionalLong next = Trailers.nextPosition(answer.trailers());
        if (next.isPresent()) {
            boolean end = Trailers.endOfAll(answer.trailers()).orElse(events.size() < read.maxCount());
            return new ReadAllResult(events, next.getAsLong(), end);
        }
        return derived(read, events);
    }

    /** Paging derived from the page alone, for servers without Factum's trailers. */
    private static ReadAllResult derived(ReadAllOptions read, List<RecordedEvent> events) {
        boolean end = events.size() < read.maxCount();
        if (read.direction() == Direction.FORWARDS) {
            long next =
                    events.isEmpty() ? read.fromPosition() : events.getLast().position() + 1;
            return new ReadAllResult(events, next, end);
        }
        long next = events.isEmpty() ? -1 : events.getLast().position() - 1;
        return new ReadAllResult(events, end ? -1 : next, end || next < 0);
    }

    private Calls.Answer<List<ReadResp>> read(String stream, ReadReq.Options.Builder options) {
        ReadReq request = ReadReq.newBuilder().setOptions(options).build();
        return runner.call(
                stream,
                (channel, callOptions) ->
                        Calls.serverStreaming(channel, StreamsGrpc.getReadMethod(), callOptions, request));
    }

    static ReadReq subscribeStream(String stream, SubscribeFrom from) {
        var streamOptions = ReadReq.Options.StreamOptions.newBuilder().setStreamIdentifier(WireCodec.stream(stream));
        switch (from) {
            case SubscribeFrom.Start s -> streamOptions.setStart(EMPTY);
            case SubscribeFrom.End e -> streamOptions.setEnd(EMPTY);
            case SubscribeFrom.After a -> streamOptions.setRevision(a.versionOrPosition());
        }
        var options = WireCodec.readOptions()
                .setStream(streamOptions)
                .setReadDirection(ReadReq.Options.ReadDirection.Forwards)
                .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance());
        return ReadReq.newBuilder().setOptions(options).build();
    }

    static ReadReq subscribeAll(SubscribeAllOptions subscribe) {
        var all = ReadReq.Options.AllOptions.newBuilder();
        switch (subscribe.from()) {
            case SubscribeFrom.Start s -> all.setStart(EMPTY);
            case SubscribeFrom.End e -> all.setEnd(EMPTY);
            case SubscribeFrom.After a -> all.setPosition(position(a.versionOrPosition()));
        }
        var options = WireCodec.readOptions()
                .setAll(all)
                .setReadDirection(ReadReq.Options.ReadDirection.Forwards)
                .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance());
        WireCodec.filter(options, subscribe.filter(), subscribe.checkpointInterval());
        return ReadReq.newBuilder().setOptions(options).build();
    }

    private static ReadReq.Options.Position position(long position) {
        return ReadReq.Options.Position.newBuilder()
                .setCommitPosition(position)
                .setPreparePosition(position)
                .build();
    }

    private static ReadReq.Options.ReadDirection direction(Direction direction) {
        return direction == Direction.FORWARDS
                ? ReadReq.Options.ReadDirection.Forwards
                : ReadReq.Options.ReadDirection.Backwards;
    }
}
