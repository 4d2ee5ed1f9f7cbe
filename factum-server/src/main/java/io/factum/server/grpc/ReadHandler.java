package io.factum.server.grpc;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import java.util.List;

/**
 * Streams.Read with a count: a stream or {@code $all}, either direction, optionally filtered. Pages
 * through the store so that a large count never holds more than one page in memory.
 */
final class ReadHandler {

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;

    ReadHandler(EventStore store, AccessPolicy policy, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
    }

    void read(ReadReq.Options options, Principal who, FlowControlledSender<ReadResp> out) {
        boolean uuidAsString = options.getUuidOption().hasString();
        long count = options.getCount();
        Direction direction = direction(options);
        switch (options.getStreamOptionCase()) {
            case STREAM -> readStream(options.getStream(), direction, count, uuidAsString, who, out);
            case ALL -> readAll(options, direction, count, uuidAsString, who, out);
            case STREAMOPTION_NOT_SET -> throw GrpcErrors.invalidArgument("options: 'stream' or 'all' is required");
        }
    }

    static Direction direction(ReadReq.Options options) {
        return switch (options.getReadDirection()) {
            case Forwards -> Direction.FORWARDS;
            case Backwards -> Direction.BACKWARDS;
            case UNRECOGNIZED ->
                throw GrpcErrors.invalidArgument("options.read_direction: " + options.getReadDirectionValue()
                        + " is not Forwards (0) or Backwards (1)");
        };
    }

    private void readStream(
            ReadReq.Options.StreamOptions options,
            Direction direction,
            long count,
            boolean uuidAsString,
            Principal who,
            FlowControlledSender<ReadResp> out) {
        String stream = ProtoCodec.streamName(options.getStreamIdentifier(), "options.stream.stream_identifier");
        policy.checkStream(who, StreamAccess.READ, stream);
        long from = startVersion(options, direction);
        if (from < 0) {
            return; // forwards from the end: nothing to read
        }
        ReadStreamResult.Found last = readStreamPages(stream, from, direction, count, uuidAsString, out);
        if (last != null && last.lastStreamVersion() >= 0) {
            // As KurrentDB does after a stream read: the stream's last revision, visible or not.
            out.send(ReadResp.newBuilder()
                    .setLastStreamPosition(last.lastStreamVersion())
                    .build());
        }
    }

    /** Sends the events page by page; returns the last page, or null when the stream was not found. */
    private ReadStreamResult.Found readStreamPages(
            String stream,
            long start,
            Direction direction,
            long count,
            boolean uuidAsString,
            FlowControlledSender<ReadResp> out) {
        int pageSize = store.limits().maxReadCount();
        long remaining = count;
        long from = start;
        ReadStreamResult.Found last = null;
        while (remaining > 0) {
            int want = (int) Math.min(remaining, pageSize);
            ReadStreamResult result = store.readStream(stream, from, direction, want);
            if (!(result instanceof ReadStreamResult.Found found)) {
                out.send(ReadResp.newBuilder()
                        .setStreamNotFound(ReadResp.StreamNotFound.newBuilder()
                                .setStreamIdentifier(ProtoCodec.streamIdentifier(stream)))
                        .build());
                return null;
            }
            last = found;
            List<RecordedEvent> events = found.events();
            for (RecordedEvent event : events) {
                out.send(ProtoCodec.readEvent(event, uuidAsString));
            }
            metrics.eventsRead(Transport.GRPC, events.size());
            remaining -= events.size();
            if (events.size() < want) {
                return last;
            }
            long lastVersion = events.getLast().version();
            from = direction == Direction.FORWARDS ? lastVersion + 1 : lastVersion - 1;
            if (from < 0) {
                return last;
            }
        }
        return last;
    }

    /** The first version to return; -1 when there is nothing (forwards from the end). */
    private static long startVersion(ReadReq.Options.StreamOptions options, Direction direction) {
        return switch (options.getRevisionOptionCase()) {
            case REVISION -> {
                long revision = options.getRevision();
                if (revision < 0) {
                    yield direction == Direction.BACKWARDS ? Long.MAX_VALUE : -1;
                }
                yield revision;
            }
            case START -> 0;
            case END -> direction == Direction.BACKWARDS ? Long.MAX_VALUE : -1;
            case REVISIONOPTION_NOT_SET ->
                throw GrpcErrors.invalidArgument("options.stream.revision_option is required (revision, start or end)");
        };
    }

    private void readAll(
            ReadReq.Options options,
            Direction direction,
            long count,
            boolean uuidAsString,
            Principal who,
            FlowControlledSender<ReadResp> out) {
        policy.checkReadAll(who);
        EventFilter filter = Filters.of(options);
        long from = startPosition(options.getAll(), direction);
        int pageSize = store.limits().maxReadCount();
        long remaining = count;
        long next = from;
        boolean endOfAll = from < 0;
        while (remaining > 0 && from >= 0) {
            int want = (int) Math.min(remaining, pageSize);
            ReadAllResult page = store.readAll(new ReadAllOptions(from, direction, want, filter));
            for (RecordedEvent event : page.events()) {
                out.send(ProtoCodec.readEvent(event, uuidAsString));
            }
            metrics.eventsRead(Transport.GRPC, page.events().size());
            remaining -= page.events().size();
            next = page.nextPosition();
            endOfAll = page.endOfAll();
            if (page.endOfAll() || page.events().isEmpty() && page.nextPosition() == from) {
                break;
            }
            from = page.nextPosition();
        }
        // Where the store says the next page starts: with a filter, past records it examined and
        // left out, which no KurrentDB message can say (see FactumTrailers).
        FactumTrailers.Holder trailers = FactumTrailers.current();
        trailers.put(FactumTrailers.NEXT_POSITION, Long.toString(next));
        trailers.put(FactumTrailers.END_OF_ALL, Boolean.toString(endOfAll));
    }

    /**
     * Forwards, a position is inclusive (the first event to return). Backwards it is exclusive, as in
     * KurrentDB: the events before it, so that a page's last position continues the read.
     */
    static long startPosition(ReadReq.Options.AllOptions options, Direction direction) {
        return switch (options.getAllOptionCase()) {
            case POSITION -> {
                long commit = options.getPosition().getCommitPosition();
                if (commit < 0) { // beyond Long.MAX_VALUE unsigned: past the end
                    yield direction == Direction.BACKWARDS ? ReadAllOptions.END : Long.MAX_VALUE;
                }
                yield direction == Direction.BACKWARDS ? commit - 1 : commit;
            }
            case START -> direction == Direction.FORWARDS ? 0 : -1;
            case END -> direction == Direction.BACKWARDS ? ReadAllOptions.END : Long.MAX_VALUE;
            case ALLOPTION_NOT_SET ->
                throw GrpcErrors.invalidArgument("options.all.all_option is required (position, start or end)");
        };
    }
}
