package io.factum.server.grpc;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-connection limits that gRPC does not enforce by itself: the number of subscriptions one
 * connection holds. The transport filter gives every connection its own counter when the connection
 * is ready; the interceptor hands that counter to each call through {@link #current()}.
 *
 * <p>Register both: {@code builder.addTransportFilter(limits)} and intercept every service with it.
 */
public final class ConnectionLimits extends ServerTransportFilter implements ServerInterceptor {

    private static final Attributes.Key<Connection> CONNECTION = Attributes.Key.create("factum-connection");
    private static final Context.Key<Connection> KEY = Context.key("factum-connection");

    private final int maxSubscriptions;

    public ConnectionLimits(int maxSubscriptions) {
        this.maxSubscriptions = maxSubscriptions;
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
                .set(CONNECTION, new Connection(maxSubscriptions))
                .build();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Connection connection = call.getAttributes().get(CONNECTION);
        if (connection == null) {
            return next.startCall(call, headers); // in-process transports have no filter
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, connection), call, headers, next);
    }

    /**
     * The connection of the call running on this thread; an unlimited one when the call came through a
     * transport without the filter (in-process tests).
     */
    public static Connection current() {
        Connection connection = KEY.get();
        return connection == null ? new Connection(Integer.MAX_VALUE) : connection;
    }

    /** One connection's counters. Thread-safe. */
    public static final class Connection {
        private final int maxSubscriptions;
        private final AtomicInteger subscriptions = new AtomicInteger();

        Connection(int maxSubscriptions) {
            this.maxSubscriptions = maxSubscriptions;
        }

        /**
         * Takes one subscription slot.
         *
         * @throws StatusRuntimeException RESOURCE_EXHAUSTED when the connection holds the maximum
         */
        public Slot acquireSubscription() {
            int held = subscriptions.incrementAndGet();
            if (held > maxSubscriptions) {
                subscriptions.decrementAndGet();
                throw Status.RESOURCE_EXHAUSTED
                        .withDescription("this connection already holds " + maxSubscriptions
                                + " subscriptions, the limit per connection; stop one, or open another connection")
                        .asRuntimeException();
            }
            return new Slot(subscriptions);
        }

        public int subscriptions() {
            return subscriptions.get();
        }
    }

    /** A held subscription slot; releasing it twice is harmless. */
    public static final class Slot {
        private final AtomicInteger counter;
        private final AtomicBoolean released = new AtomicBoolean();

        Slot(AtomicInteger counter) {
            this.counter = counter;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                counter.decrementAndGet();
            }
        }
    }
}
