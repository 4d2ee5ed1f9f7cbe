package io.factum.server.grpc;

import io.factum.api.EventStore;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.protocol.dcb.Confirmation;
import io.factum.protocol.dcb.Empty;
import io.factum.protocol.dcb.SubscribeRequest;
import io.factum.protocol.dcb.SubscribeResponse;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code Dcb.Subscribe}: catch-up then live on the events matching a query. As in {@link
 * SubscribeHandler}, the store's subscription thread blocks while the client is slow, so a slow
 * subscriber costs no memory, and the client hears of nothing before its confirmation.
 */
final class DcbSubscriptions {

    private final EventStore store;
    private final AccessPolicy policy;
    private final SubscriptionCalls<SubscribeResponse> calls;

    DcbSubscriptions(EventStore store, AccessPolicy policy, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.calls = new SubscriptionCalls<>(metrics);
    }

    void subscribe(SubscribeRequest request, Principal who, FlowControlledSender<SubscribeResponse> out) {
        if (!request.hasQuery()) {
            throw GrpcErrors.invalidArgument("query: is required");
        }
        Query query = DcbCodec.query(request.getQuery(), "query", store.limits());
        SubscribeFrom from =
                switch (request.getFromCase()) {
                    case START -> SubscribeFrom.start();
                    case END -> SubscribeFrom.end();
                    case AFTER_POSITION -> {
                        long after = request.getAfterPosition();
                        if (after < 0) {
                            throw GrpcErrors.invalidArgument(
                                    "after_position: " + Long.toUnsignedString(after) + " is out of range");
                        }
                        yield SubscribeFrom.after(after);
                    }
                    case FROM_NOT_SET ->
                        throw GrpcErrors.invalidArgument("from: one of start, after_position or end is required");
                };
        policy.checkReadAll(who);
        Listener listener = new Listener(calls.open(out, true));
        listener.call.start(
                () -> store.subscribeToQuery(query, from, listener),
                () -> out.send(SubscribeResponse.newBuilder()
                        .setConfirmation(Confirmation.newBuilder()
                                .setSubscriptionId(UUID.randomUUID().toString()))
                        .build()));
    }

    /** Ends every subscription with UNAVAILABLE, so that clients know to reconnect elsewhere. */
    void endAll(String reason) {
        calls.endAll(reason);
    }

    private final class Listener implements SubscriptionListener {
        private final SubscriptionCalls<SubscribeResponse>.Call call;
        private final FlowControlledSender<SubscribeResponse> out;

        Listener(SubscriptionCalls<SubscribeResponse>.Call call) {
            this.call = call;
            this.out = call.out();
        }

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            call.awaitConfirmation();
            out.send(SubscribeResponse.newBuilder()
                    .setEvent(DcbCodec.recorded(event))
                    .build());
            call.delivered(event.position());
        }

        /** The store's checkpoint p means "every position below p examined", as the message says. */
        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            call.awaitConfirmation();
            if (position == 0) {
                return;
            }
            call.tracked().examinedBelow(position);
            out.send(SubscribeResponse.newBuilder().setCheckpoint(position).build());
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            call.awaitConfirmation();
            call.tracked().caughtUp();
            out.send(SubscribeResponse.newBuilder()
                    .setCaughtUp(Empty.getDefaultInstance())
                    .build());
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            call.stopped(error);
        }
    }
}
