package io.factum.server.grpc;

import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * Streams.Read with subscription options: catch-up then live, on a stream or on {@code $all}. The
 * store's subscription pulls from storage on its own thread; this listener blocks that thread while
 * the client is slow, so a slow subscriber costs no memory.
 */
final class SubscribeHandler {

    private final EventStore store;
    private final AccessPolicy policy;
    private final Clock clock;
    private final SubscriptionCalls<ReadResp> calls;

    SubscribeHandler(EventStore store, AccessPolicy policy, Clock clock, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.clock = clock;
        this.calls = new SubscriptionCalls<>(metrics);
    }

    void subscribe(ReadReq.Options options, Principal who, FlowControlledSender<ReadResp> out) {
        if (options.getReadDirection() != ReadReq.Options.ReadDirection.Forwards) {
            throw GrpcErrors.invalidArgument("options.read_direction: subscriptions read forwards only");
        }
        boolean uuidAsString = options.getUuidOption().hasString();
        boolean toAll = options.hasAll();
        Listener listener = new Listener(calls.open(out, toAll), uuidAsString, toAll);
        listener.call.start(
                () -> switch (options.getStreamOptionCase()) {
                    case STREAM -> subscribeStream(options.getStream(), who, listener);
                    case ALL -> subscribeAll(options, who, listener);
                    case STREAMOPTION_NOT_SET ->
                        throw GrpcErrors.invalidArgument("options: 'stream' or 'all' is required");
                },
                () -> confirm(out));
    }

    /** Ends every subscription with UNAVAILABLE, so that clients know to reconnect elsewhere. */
    void endAll(String reason) {
        calls.endAll(reason);
    }

    private Subscription subscribeStream(ReadReq.Options.StreamOptions options, Principal who, Listener listener) {
        String stream = ProtoCodec.streamName(options.getStreamIdentifier(), "options.stream.stream_identifier");
        policy.checkStream(who, StreamAccess.READ, stream);
        SubscribeFrom from =
                switch (options.getRevisionOptionCase()) {
                    case START -> SubscribeFrom.start();
                    case END -> SubscribeFrom.end();
                    case REVISION -> after(options.getRevision(), "options.stream.revision");
                    case REVISIONOPTION_NOT_SET ->
                        throw GrpcErrors.invalidArgument(
                                "options.stream.revision_option is required (revision, start or end)");
                };
        return store.subscribeToStream(stream, from, listener);
    }

    private Subscription subscribeAll(ReadReq.Options options, Principal who, Listener listener) {
        policy.checkReadAll(who);
        ReadReq.Options.AllOptions all = options.getAll();
        SubscribeFrom from =
                switch (all.getAllOptionCase()) {
                    case START -> SubscribeFrom.start();
                    case END -> SubscribeFrom.end();
                    case POSITION -> after(all.getPosition().getCommitPosition(), "options.all.position");
                    case ALLOPTION_NOT_SET ->
                        throw GrpcErrors.invalidArgument("options.all.all_option is required (position, start or end)");
                };
        var subscribeOptions = new SubscribeAllOptions(from, Filters.of(options), Filters.checkpointInterval(options));
        return store.subscribeToAll(subscribeOptions, listener);
    }

    private static SubscribeFrom after(long versionOrPosition, String field) {
        if (versionOrPosition < 0) {
            throw GrpcErrors.invalidArgument(
                    field + ": " + Long.toUnsignedString(versionOrPosition) + " is out of range");
        }
        return SubscribeFrom.after(versionOrPosition);
    }

    /** The clients wait for this before they report the subscription as started. */
    private static void confirm(FlowControlledSender<ReadResp> out) {
        out.send(ReadResp.newBuilder()
                .setConfirmation(ReadResp.SubscriptionConfirmation.newBuilder()
                        .setSubscriptionId(UUID.randomUUID().toString()))
                .build());
    }

    private final class Listener implements SubscriptionListener {
        private final SubscriptionCalls<ReadResp>.Call call;
        private final FlowControlledSender<ReadResp> out;
        private final boolean uuidAsString;
        private final boolean toAll;
        private long lastVersion = -1;
        private long lastPosition = -1;

        Listener(SubscriptionCalls<ReadResp>.Call call, boolean uuidAsString, boolean toAll) {
            this.call = call;
            this.out = call.out();
            this.uuidAsString = uuidAsString;
            this.toAll = toAll;
        }

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            call.awaitConfirmation();
            out.send(ProtoCodec.readEvent(event, uuidAsString));
            call.delivered(event.position());
            lastVersion = event.version();
            lastPosition = event.position();
        }

        /** The store's checkpoint p means "everything below p examined"; clients resume after theirs. */
        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            call.awaitConfirmation();
            if (position == 0) {
                return;
            }
            call.tracked().examinedBelow(position);
            out.send(ReadResp.newBuilder()
                    .setCheckpoint(ReadResp.Checkpoint.newBuilder()
                            .setCommitPosition(position - 1)
                            .setPreparePosition(position - 1)
                            .setTimestamp(ProtoCodec.timestamp(clock.instant())))
                    .build());
        }

        /**
         * Sent to every client: those whose protocol predates caught_up see an empty message, which
         * they log and ignore.
         */
        @Override
        public void onCaughtUp(Subscription subscription) {
            call.awaitConfirmation();
            call.tracked().caughtUp();
            var caughtUp = ReadResp.CaughtUp.newBuilder().setTimestamp(ProtoCodec.timestamp(clock.instant()));
            // Stream subscriptions report a revision, $all subscriptions a position; neither when
            // nothing was delivered yet.
            if (toAll && lastPosition >= 0) {
                caughtUp.setPosition(ReadResp.Position.newBuilder()
                        .setCommitPosition(lastPosition)
                        .setPreparePosition(lastPosition));
            } else if (!toAll && lastVersion >= 0) {
                caughtUp.setStreamRevision(lastVersion);
            }
            out.send(ReadResp.newBuilder().setCaughtUp(caughtUp).build());
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            call.stopped(error);
        }
    }
}
