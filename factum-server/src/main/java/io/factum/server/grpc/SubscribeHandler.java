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
import io.factum.server.metrics.TrackedSubscription;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
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
    private final ReadHandler clockSource;
    private final ServerMetrics metrics;

    SubscribeHandler(EventStore store, AccessPolicy policy, ReadHandler clockSource, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.clockSource = clockSource;
        this.metrics = metrics;
    }

    void subscribe(ReadReq.Options options, Principal who, FlowControlledSender<ReadResp> out) {
        if (options.getReadDirection() != ReadReq.Options.ReadDirection.Forwards) {
            throw GrpcErrors.invalidArgument("options.read_direction: subscriptions read forwards only");
        }
        boolean uuidAsString = options.getUuidOption().hasString();
        boolean newerMessages = options.getControlOption().getCompatibility() >= 1;
        boolean toAll = options.hasAll();
        Listener listener = new Listener(out, uuidAsString, newerMessages, toAll);
        Subscription subscription;
        try {
            subscription = switch (options.getStreamOptionCase()) {
                case STREAM -> subscribeStream(options.getStream(), who, listener, out);
                case ALL -> subscribeAll(options, who, listener, out);
                case STREAMOPTION_NOT_SET -> throw GrpcErrors.invalidArgument("options: 'stream' or 'all' is required");
            };
        } catch (RuntimeException e) {
            listener.tracked.close();
            throw e;
        }
        out.onCancel(subscription::close);
    }

    private Subscription subscribeStream(
            ReadReq.Options.StreamOptions options,
            Principal who,
            Listener listener,
            FlowControlledSender<ReadResp> out) {
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
        confirm(out);
        return store.subscribeToStream(stream, from, listener);
    }

    private Subscription subscribeAll(
            ReadReq.Options options, Principal who, Listener listener, FlowControlledSender<ReadResp> out) {
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
        confirm(out);
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
        private final FlowControlledSender<ReadResp> out;
        private final boolean uuidAsString;
        private final boolean newerMessages;
        private final boolean toAll;
        private final TrackedSubscription tracked;
        private long lastVersion = -1;
        private long lastPosition = -1;

        Listener(FlowControlledSender<ReadResp> out, boolean uuidAsString, boolean newerMessages, boolean toAll) {
            this.out = out;
            this.uuidAsString = uuidAsString;
            this.newerMessages = newerMessages;
            this.toAll = toAll;
            this.tracked = metrics.subscriptionOpened(Transport.GRPC, toAll);
        }

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            out.send(ProtoCodec.readEvent(event, uuidAsString));
            tracked.delivered(event.position());
            metrics.eventsDelivered(Transport.GRPC, 1);
            lastVersion = event.version();
            lastPosition = event.position();
        }

        /** The store's checkpoint p means "everything below p examined"; clients resume after theirs. */
        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            if (position == 0) {
                return;
            }
            tracked.examinedBelow(position);
            out.send(ReadResp.newBuilder()
                    .setCheckpoint(ReadResp.Checkpoint.newBuilder()
                            .setCommitPosition(position - 1)
                            .setPreparePosition(position - 1)
                            .setTimestamp(clockSource.now()))
                    .build());
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            tracked.caughtUp();
            if (!newerMessages) {
                return;
            }
            var caughtUp = ReadResp.CaughtUp.newBuilder().setTimestamp(clockSource.now());
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
            tracked.close();
            error.filter(e -> !(e instanceof FlowControlledSender.CallCancelledException))
                    .ifPresent(out::fail);
        }
    }
}
