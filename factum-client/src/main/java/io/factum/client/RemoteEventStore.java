package io.factum.client;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.InvalidInputException;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.api.SystemNames;
import io.factum.api.TagLimits;
import io.factum.protocol.dcb.DcbGrpc;
import io.factum.protocol.dcb.ReadResponse;
import io.factum.protocol.info.StoreInfoGrpc;
import io.factum.protocol.info.StoreLimitsReply;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.DeleteResp;
import io.factum.protocol.streams.StreamsGrpc;
import io.factum.protocol.streams.TombstoneReq;
import io.factum.protocol.streams.TombstoneResp;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.AppendSessionResponse;
import io.factum.protocol.v2.streams.StreamsServiceGrpc;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@link EventStore} contract over the network: a client of a Factum server or cluster (or, for
 * what the KurrentDB protocol expresses, of a KurrentDB server). Every method is one or two gRPC
 * calls of the KurrentDB client protocol, except what it has no messages for: tags, reads and
 * subscriptions by query and conditional appends use Factum's {@code factum.dcb.v1.Dcb} service;
 * see {@code docs/client.md} for the mapping.
 *
 * <p>Input is checked here, against the server's {@link StoreLimits} (fetched once at {@link
 * #connect}), exactly as the store checks it, so bad input fails before it is sent; what only the
 * store can judge (metastream contents) comes back from the server with the store's field and rule.
 *
 * <p>At any time the client talks to one node. It starts with the first seed of its {@link
 * ClientOptions} that answers, and moves:
 *
 * <ul>
 *   <li>when a write (append, conditional append, metadata, delete, tombstone) reaches a node that
 *       is not the leader: to the leader that node names, or else to the leader that the seeds'
 *       gossip names, and the write is sent again there;
 *   <li>when the node cannot be reached: to the leader (for a write) or to any live node (for a
 *       read or a new subscription) that gossip names, and the call is sent again.
 * </ul>
 *
 * <p>Reads are otherwise served by the node the client is on, a follower included (whose reads may
 * lag the leader's, but never go back). Every operation, moves and retries included, ends within
 * {@link ClientOptions#deadline()}: when no node can serve it in time it fails with {@link
 * io.factum.api.NotLeaderException} (no leader) or {@link io.factum.api.StoreFailedException} (no
 * node reachable), saying what was tried. Retried writes are not stored twice: the event ids make
 * the store answer a repeat of a stored append with its first result (see {@link Failover}).
 *
 * <p>Subscriptions live on the node they were opened on: a move does not touch them (the old
 * connection stays open until they end), and when their node goes away they stop with an error,
 * after which a subscriber subscribes again from its checkpoint, on the current node.
 *
 * <p>Thread-safe: any number of threads may share one instance, and a move made by one is seen by
 * all. {@link #close} stops every subscription with {@link StoreClosedException} and lets calls in
 * flight finish (for up to the deadline) before closing the connections.
 */
public final class RemoteEventStore implements EventStore {

    private final ClientOptions options;
    private final Connection connection;
    private final Failover failover;
    private final StoreLimits limits;
    private final Set<RemoteSubscription<?, ?>> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RemoteEventStore(ClientOptions options, Channels channels, Connection.Node first, StoreLimits limits) {
        this.options = options;
        this.connection = new Connection(channels, first);
        this.failover = new Failover(
                connection,
                new Discovery(options.seeds(), channels),
                options.deadline(),
                () -> closed,
                this::closedException);
        this.limits = limits;
    }

    /**
     * Connects to the first seed that answers and learns the server's limits (Factum's {@code
     * StoreInfo.GetLimits}; a server without it, such as KurrentDB, is assumed to have {@link
     * StoreLimits#defaults()}). The seeds are tried in order, all within one deadline.
     *
     * @throws io.factum.api.StoreFailedException when no seed can be reached
     * @throws io.factum.api.AccessDeniedException when a server refuses the credentials
     * @throws IllegalArgumentException when the TLS settings cannot be used (unreadable CA file)
     */
    public static RemoteEventStore connect(ClientOptions options) {
        Channels channels = Channels.of(options);
        Deadline until = Deadline.after(options.deadline().toNanos(), TimeUnit.NANOSECONDS);
        List<FactumException> failures = new ArrayList<>();
        for (ClientOptions.Endpoint seed : options.seeds()) {
            Connection.Node node = Connection.open(channels, seed);
            try {
                return new RemoteEventStore(options, channels, node, fetchLimits(node, until));
            } catch (StatusRuntimeException e) {
                node.channel().shutdownNow();
                FactumException error = node.errors().map(e, "");
                if (!ErrorMapper.unreachable(e) || until.isExpired()) {
                    throw error;
                }
                failures.add(error);
            } catch (RuntimeException e) {
                node.channel().shutdownNow();
                throw e;
            }
        }
        if (failures.size() == 1) {
            throw failures.getFirst();
        }
        throw new StoreFailedException(
                "no server of " + options.target() + " answered: "
                        + failures.stream().map(Throwable::getMessage).collect(Collectors.joining("; ")),
                failures.getLast());
    }

    /** {@link #connect(ClientOptions)} with a URL, see {@link ClientOptions#parse}. */
    public static RemoteEventStore connect(String url) {
        return connect(ClientOptions.parse(url));
    }

    private static StoreLimits fetchLimits(Connection.Node node, Deadline until) {
        try {
            StoreLimitsReply reply = StoreInfoGrpc.newBlockingStub(node.channel())
                    .withDeadline(until)
                    .getLimits(Empty.getDefaultInstance());
            var limits = new StoreLimits(
                    reply.getMaxStreamNameBytes(),
                    reply.getMaxEventTypeBytes(),
                    reply.getMaxEventBytes(),
                    reply.getMaxAppendBytes(),
                    reply.getMaxEventsPerAppend(),
                    reply.getMaxReadCount());
            // A server that predates tags sends zeros; it refuses tags anyway (no DCB service).
            return reply.getMaxTagsPerEvent() == 0
                    ? limits
                    : limits.withTags(new TagLimits(
                            reply.getMaxTagsPerEvent(),
                            reply.getMaxTagBytes(),
                            reply.getMaxQueryItems(),
                            reply.getMaxItemTerms()));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                return StoreLimits.defaults();
            }
            throw e;
        }
    }

    /** Where this client connects to. */
    public ClientOptions options() {
        return options;
    }

    // ---- appends ----

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        checkOpen();
        limits.checkAppend(stream, events);
        if (hasTags(events)) {
            return dcbAppend(List.of(new StreamAppend(stream, expected, events)), Optional.empty())
                    .getFirst();
        }
        List<AppendReq> requests = new ArrayList<>(events.size() + 1);
        requests.add(AppendReq.newBuilder()
                .setOptions(WireCodec.appendOptions(stream, expected))
                .build());
        events.forEach(e -> requests.add(WireCodec.proposed(e)));
        Calls.Answer<AppendResp> answer = failover.write(
                stream,
                Optional.empty(),
                (channel, callOptions) ->
                        Calls.clientStreaming(channel, StreamsGrpc.getAppendMethod(), callOptions, requests));
        AppendResp response = answer.value();
        if (response.hasWrongExpectedVersion()) {
            AppendResp.WrongExpectedVersion w = response.getWrongExpectedVersion();
            long actual = w.hasCurrentNoStream() ? ExpectedVersion.NO_STREAM_VERSION : w.getCurrentRevision();
            throw new io.factum.api.WrongExpectedVersionException(stream, expected, actual);
        }
        AppendResp.Success success = response.getSuccess();
        long version = success.hasNoStream() ? -1 : success.getCurrentRevision();
        long position = success.hasPosition() ? success.getPosition().getCommitPosition() : -1;
        boolean written =
                Trailers.written(answer.trailers(), 1).map(List::getFirst).orElse(!events.isEmpty());
        return new AppendResult(version, position, written);
    }

    /**
     * Over Factum's {@code Dcb.Append} when there is a condition or a tag, which only it can carry;
     * otherwise over KurrentDB's v2 {@code AppendSession}, so that plain multi-stream appends also
     * work against a KurrentDB 25.1 server.
     */
    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        checkOpen();
        condition.ifPresent(c -> limits.checkQuery("condition.failIfEventsMatch", c.failIfEventsMatch()));
        checkMulti(appends);
        if (condition.isPresent() || appends.stream().anyMatch(part -> hasTags(part.events()))) {
            return dcbAppend(appends, condition);
        }
        List<AppendRequest> requests = appends.stream()
                .map(part -> AppendRequest.newBuilder()
                        .setStream(part.stream())
                        .setExpectedRevision(WireCodec.raw(part.expected()))
                        .addAllRecords(
                                part.events().stream().map(WireCodec::record).toList())
                        .build())
                .toList();
        Calls.Answer<AppendSessionResponse> answer = failover.write(
                appends.getFirst().stream(),
                Optional.empty(),
                (channel, callOptions) -> Calls.clientStreaming(
                        channel, StreamsServiceGrpc.getAppendSessionMethod(), callOptions, requests));
        AppendSessionResponse response = answer.value();
        if (response.getOutputCount() != appends.size()) {
            throw WireCodec.protocol(response.getOutputCount() + " results for " + appends.size() + " streams");
        }
        Optional<List<Boolean>> written = Trailers.written(answer.trailers(), appends.size());
        List<AppendResult> results = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            var output = response.getOutput(i);
            boolean wrote = written.map(w -> w.get(results.size()))
                    .orElse(!appends.get(i).events().isEmpty());
            results.add(new AppendResult(
                    output.getStreamRevision(), output.hasPosition() ? output.getPosition() : -1, wrote));
        }
        return results;
    }

    private List<AppendResult> dcbAppend(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        var request = DcbCodec.append(appends, condition);
        var response = failover.write(
                appends.getFirst().stream(), condition, (channel, callOptions) -> DcbGrpc.newBlockingStub(channel)
                        .withDeadline(callOptions.getDeadline())
                        .append(request));
        return DcbCodec.results(response, appends.size());
    }

    private static boolean hasTags(List<EventData> events) {
        for (EventData event : events) {
            if (!event.tags().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The store's own checks of a multi-stream append, in its order (metastream contents aside). */
    private void checkMulti(List<StreamAppend> appends) {
        if (appends.isEmpty()) {
            throw new InvalidInputException("appends", "[]", "a multi-stream append needs at least one stream");
        }
        Set<String> seen = new HashSet<>();
        long bytes = 0;
        long count = 0;
        for (int i = 0; i < appends.size(); i++) {
            StreamAppend part = appends.get(i);
            if (!seen.add(part.stream())) {
                throw new InvalidInputException(
                        "stream",
                        part.stream(),
                        "appears twice in one call (again as part " + i + "); a stream may appear once per call");
            }
            bytes += limits.checkAppend(part.stream(), part.events());
            count += part.events().size();
        }
        if (count > limits.maxEventsPerAppend()) {
            throw new InvalidInputException(
                    "events", count + " events", "an append may carry at most " + limits.maxEventsPerAppend());
        }
        if (bytes > limits.maxAppendBytes()) {
            throw new InvalidInputException(
                    "events", bytes + " bytes", "an append may carry at most " + limits.maxAppendBytes() + " bytes");
        }
    }

    // ---- reads ----

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        checkOpen();
        limits.checkStreamName("stream", stream);
        limits.checkReadCount(maxCount);
        if (fromVersion < 0) {
            throw new InvalidInputException("fromVersion", fromVersion, "must be >= 0");
        }
        return reader().readStream(stream, fromVersion, direction, maxCount);
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions readOptions) {
        checkOpen();
        limits.checkReadCount(readOptions.maxCount());
        return reader().readAll(readOptions);
    }

    /** Over Factum's {@code Dcb.Read}: the matching events, then the head position. */
    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        checkOpen();
        limits.checkQuery("query", query);
        limits.checkReadCount(maxCount);
        if (fromPosition < 0) {
            throw new InvalidInputException("fromPosition", fromPosition, "must be >= 0");
        }
        var request = DcbCodec.read(query, fromPosition, direction, maxCount);
        List<ReadResponse> responses = failover.read(
                        "",
                        (channel, callOptions) ->
                                Calls.serverStreaming(channel, DcbGrpc.getReadMethod(), callOptions, request))
                .value();
        List<RecordedEvent> events = new ArrayList<>();
        OptionalLong head = OptionalLong.empty();
        for (ReadResponse response : responses) {
            switch (response.getContentCase()) {
                case EVENT -> events.add(DcbCodec.event(response.getEvent()));
                case END -> head = OptionalLong.of(response.getEnd().getHeadPosition());
                default -> throw WireCodec.protocol("an empty read response");
            }
        }
        if (head.isEmpty() || events.size() > maxCount) {
            throw WireCodec.protocol(events.size() + " events for a read of at most " + maxCount
                    + (head.isEmpty() ? " and no end" : ""));
        }
        return new QueryReadResult(events, head.getAsLong());
    }

    @Override
    public long headPosition() {
        checkOpen();
        List<RecordedEvent> newest = reader().readAll(ReadAllOptions.backwards(ReadAllOptions.END, 1))
                .events();
        return newest.isEmpty() ? -1 : newest.getFirst().position();
    }

    private Reader reader() {
        return new Reader(failover::read);
    }

    // ---- subscriptions ----

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        limits.checkStreamName("stream", stream);
        return subscribe(new SubscriptionFeed.Streams(), Reader.subscribeStream(stream, from), listener, stream);
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions subscribeOptions, SubscriptionListener listener) {
        checkOpen();
        return subscribe(
                new SubscriptionFeed.Streams(), Reader.subscribeAll(subscribeOptions), listener, SystemNames.ALL);
    }

    /** Over Factum's {@code Dcb.Subscribe}; its checkpoints are already the contract's. */
    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        limits.checkQuery("query", query);
        return subscribe(new SubscriptionFeed.Dcb(), DcbCodec.subscribe(query, from), listener, "");
    }

    /**
     * Opens a subscription on the current node. When that node cannot be reached, it is opened once
     * more on a live node that gossip names, as a read would be; a subscription already open is
     * never moved.
     */
    private <Q, R> Subscription subscribe(
            SubscriptionFeed<Q, R> feed, Q request, SubscriptionListener listener, String stream) {
        Deadline until = failover.newDeadline();
        Connection.Node node = connection.current();
        try {
            return register(open(node, feed, request, listener, stream, until));
        } catch (StoreFailedException e) {
            if (closed || !(e.getCause() instanceof StatusRuntimeException s && ErrorMapper.unreachable(s))) {
                throw e;
            }
            Connection.Node next = failover.moveAfterUnreachable(node, until)
                    .orElseThrow(why -> new StoreFailedException(e.getMessage() + "; " + why, e));
            return register(open(next, feed, request, listener, stream, until));
        }
    }

    private <Q, R> RemoteSubscription<Q, R> open(
            Connection.Node node,
            SubscriptionFeed<Q, R> feed,
            Q request,
            SubscriptionListener listener,
            String stream,
            Deadline until) {
        return RemoteSubscription.open(
                node.channel(),
                feed,
                request,
                listener,
                node.errors(),
                stream,
                Math.max(1, until.timeRemaining(TimeUnit.MILLISECONDS)),
                subscriptions::remove);
    }

    private Subscription register(RemoteSubscription<?, ?> subscription) {
        subscriptions.add(subscription);
        if (closed) { // closed while this subscription was being confirmed
            subscription.stop(Optional.of(closedException()));
        }
        return subscription;
    }

    // ---- metadata and deletes ----

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        checkOpen();
        checkOrdinary(stream);
        Reader reader = reader();
        // A tombstoned stream has no metadata: probe the stream itself without reading an event
        // (forwards from the largest version), which fails with stream-deleted when it is gone.
        reader.readStream(stream, Long.MAX_VALUE, Direction.FORWARDS, 1);
        String metastream = SystemNames.metastreamOf(stream);
        return switch (reader.readStream(metastream, Long.MAX_VALUE, Direction.BACKWARDS, 1)) {
            case ReadStreamResult.NotFound n -> new StreamMetadataResult(stream, -1, StreamMetadata.empty());
            case ReadStreamResult.Found f
            when f.events().isEmpty() -> new StreamMetadataResult(stream, -1, StreamMetadata.empty());
            case ReadStreamResult.Found f -> {
                RecordedEvent event = f.events().getFirst();
                yield new StreamMetadataResult(stream, event.version(), StreamMetadataCodec.decode(event.data()));
            }
        };
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        checkOpen();
        checkOrdinary(stream);
        byte[] json = StreamMetadataCodec.encode(metadata);
        EventData event =
                new EventData(UUID.randomUUID(), SystemNames.METADATA_TYPE, json, new byte[0], ContentType.JSON);
        return append(SystemNames.metastreamOf(stream), expected, List.of(event));
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        checkOpen();
        checkOrdinary(stream);
        var request = DeleteReq.newBuilder()
                .setOptions(Deletes.deleteOptions(stream, expected))
                .build();
        DeleteResp response =
                failover.write(stream, Optional.empty(), (channel, callOptions) -> StreamsGrpc.newBlockingStub(channel)
                        .withDeadline(callOptions.getDeadline())
                        .delete(request));
        return new DeleteResult(response.hasPosition() ? response.getPosition().getCommitPosition() : -1);
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        checkOpen();
        checkOrdinary(stream);
        var request = TombstoneReq.newBuilder()
                .setOptions(Deletes.tombstoneOptions(stream, expected))
                .build();
        TombstoneResp response =
                failover.write(stream, Optional.empty(), (channel, callOptions) -> StreamsGrpc.newBlockingStub(channel)
                        .withDeadline(callOptions.getDeadline())
                        .tombstone(request));
        return new DeleteResult(response.hasPosition() ? response.getPosition().getCommitPosition() : -1);
    }

    private void checkOrdinary(String stream) {
        limits.checkStreamName("stream", stream);
        if (SystemNames.isMetastream(stream)) {
            throw new InvalidInputException(
                    "stream", stream, "is a metastream; address the stream it describes instead");
        }
    }

    // ---- the rest ----

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RemoteSubscription<?, ?> subscription : List.copyOf(subscriptions)) {
            subscription.stop(Optional.of(closedException()));
        }
        connection.close(options.deadline());
    }

    private StoreClosedException closedException() {
        return new StoreClosedException("the connection to " + options.target() + " is closed");
    }

    private void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    /** The node this client talks to now (for tests). */
    ClientOptions.Endpoint currentNode() {
        return connection.current().endpoint();
    }

    /** How a read is run: {@link Failover#read}, passed to the helpers that build requests. */
    @FunctionalInterface
    interface CallRunner {
        <T> T call(String stream, Failover.Attempt<T> attempt);
    }
}
