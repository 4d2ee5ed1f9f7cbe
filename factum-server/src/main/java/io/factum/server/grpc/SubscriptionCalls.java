package io.factum.server.grpc;

import io.factum.api.Subscription;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.TrackedSubscription;
import io.factum.server.metrics.Transport;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * What every gRPC subscription call shares, whatever its protocol (KurrentDB's {@code Streams.Read}
 * or Factum's {@code Dcb.Subscribe}): the connection-limit slot it holds, its metrics, the
 * confirmation that reaches the client before any event, and the set of live calls a stopping
 * server ends. The protocol's listener turns the store's callbacks into its own messages and asks
 * its {@link Call} for the rest.
 *
 * @param <T> the call's response message
 */
final class SubscriptionCalls<T> {

    private final ServerMetrics metrics;
    private final Set<FlowControlledSender<T>> live = ConcurrentHashMap.newKeySet();

    SubscriptionCalls(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * A new call: takes a subscription slot (failing when the connection has none left) and starts
     * tracking it. Held until the subscription ends (client cancel, or an error that ends the call).
     */
    Call open(FlowControlledSender<T> out, boolean toAll) {
        ConnectionLimits.Slot slot = ConnectionLimits.current().acquireSubscription();
        return new Call(out, slot, metrics.subscriptionOpened(Transport.GRPC, toAll));
    }

    /**
     * Ends every subscription with UNAVAILABLE: the official clients ignore a subscription that ends
     * with OK or CANCELLED, so a stopping server must say why, or their subscribers would wait forever.
     */
    void endAll(String reason) {
        for (FlowControlledSender<T> out : live) {
            out.fail(Status.UNAVAILABLE.withDescription(reason).asRuntimeException());
        }
    }

    /** One subscription call. */
    final class Call {
        private final FlowControlledSender<T> out;
        private final ConnectionLimits.Slot slot;
        private final TrackedSubscription tracked;
        private final CountDownLatch confirmed = new CountDownLatch(1);

        private Call(FlowControlledSender<T> out, ConnectionLimits.Slot slot, TrackedSubscription tracked) {
            this.out = out;
            this.slot = slot;
            this.tracked = tracked;
        }

        FlowControlledSender<T> out() {
            return out;
        }

        TrackedSubscription tracked() {
            return tracked;
        }

        /**
         * Subscribes, then tells the client it is subscribed, then registers the call. The store
         * validated the request when it subscribed, so only then is the client confirmed; the
         * listener holds events back until the confirmation is sent ({@link #awaitConfirmation}).
         * When subscribing fails, the slot and the tracking are given back and the error rethrown.
         */
        void start(Supplier<Subscription> subscribe, Runnable confirm) {
            Subscription subscription;
            try {
                subscription = subscribe.get();
            } catch (RuntimeException e) {
                slot.release();
                tracked.close();
                throw e;
            }
            try {
                confirm.run();
            } catch (RuntimeException e) {
                subscription.close();
                throw e;
            } finally {
                confirmed.countDown();
            }
            live.add(out);
            out.onCancel(() -> {
                live.remove(out);
                subscription.close();
                slot.release();
            });
        }

        /** Blocks the store's subscription thread until the client has its confirmation. */
        void awaitConfirmation() {
            try {
                confirmed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FlowControlledSender.CallCancelledException();
            }
        }

        /** Counts an event sent to the client. */
        void delivered(long position) {
            tracked.delivered(position);
            metrics.eventsDelivered(Transport.GRPC, 1);
        }

        /** The store ended the subscription: gives everything back and fails the call on an error. */
        void stopped(Optional<Throwable> error) {
            live.remove(out);
            slot.release();
            tracked.close();
            error.filter(e -> !(e instanceof FlowControlledSender.CallCancelledException))
                    .ifPresent(out::fail);
        }
    }
}
