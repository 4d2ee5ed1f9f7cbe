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
import io.factum.server.metrics.TrackedSubscription;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * {@code Dcb.Subscribe}: catch-up then live on the events matching a query. As in {@link
 * SubscribeHandler}, the store's subscription thread blocks while the client is slow, so a slow
 * subscriber costs no memory, and the client hears of nothing before its confirmation.
 */
final class DcbSubscriptions {

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;
    private final Set<FlowControlledSender<SubscribeResponse>> live = ConcurrentHashMap.newKeySet();

    DcbSubscriptions(EventStore store, AccessPolicy policy, ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
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
        ConnectionLimits.Slot slot = ConnectionLimits.current().acquireSubscription();
        Listener listener = new Listener(out, slot);
        Subscription subscription;
        try {
            subscription = store.subscribeToQuery(query, from, listener);
        } catch (RuntimeException e) {
            slot.release();
            listener.tracked.close();
            throw e;
        }
        try {
            out.send(SubscribeResponse.newBuilder()
                    .setConfirmation(Confirmation.newBuilder()
                            .setSubscriptionId(UUID.randomUUID().toString()))
                    .build());
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        } finally {
            listener.confirmed.countDown();
        }
        live.add(out);
        out.onCancel(() -> {
            live.remove(out);
            subscription.close();
            slot.release();
        });
    }

    /** Ends every subscription with UNAVAILABLE, so that clients know to reconnect elsewhere. */
    void endAll(String reason) {
        for (FlowControlledSender<SubscribeResponse> out : live) {
            out.fail(Status.UNAVAILABLE.withDescription(reason).asRuntimeException());
        }
    }

    private final class Listener implements SubscriptionListener {
        private final FlowControlledSender<SubscribeResponse> out;
        private final ConnectionLimits.Slot slot;
        private final CountDownLatch confirmed = new CountDownLatch(1);
        private final TrackedSubscription tracked;

        Listener(FlowControlledSender<SubscribeResponse> out, ConnectionLimits.Slot slot) {
            this.out = out;
            this.slot = slot;
            this.tracked = metrics.subscriptionOpened(Transport.GRPC, true);
        }

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            awaitConfirmation();
            out.send(SubscribeResponse.newBuilder()
                    .setEvent(DcbCodec.recorded(event))
                    .build());
            tracked.delivered(event.position());
            metrics.eventsDelivered(Transport.GRPC, 1);
        }

        /** The store's checkpoint p means "every position below p examined", as the message says. */
        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            awaitConfirmation();
            if (position == 0) {
                return;
            }
            tracked.examinedBelow(position);
            out.send(SubscribeResponse.newBuilder().setCheckpoint(position).build());
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            awaitConfirmation();
            tracked.caughtUp();
            out.send(SubscribeResponse.newBuilder()
                    .setCaughtUp(Empty.getDefaultInstance())
                    .build());
        }

        private void awaitConfirmation() {
            try {
                confirmed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlowControlledSender.CallCancelledException();
            }
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            live.remove(out);
            slot.release();
            tracked.close();
            error.filter(e -> !(e instanceof FlowControlledSender.CallCancelledException))
                    .ifPresent(out::fail);
        }
    }
}
