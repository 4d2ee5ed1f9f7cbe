package io.factum.server.grpc;

import io.factum.protocol.FactumWire;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Lets a service add trailers to a call that ends well. gRPC's stub API only carries trailers on
 * errors; Factum's remote client also needs a few facts on success that the KurrentDB messages
 * have no field for, and the official clients ignore unknown trailers:
 *
 * <ul>
 *   <li>{@code factum-written}: whether an append stored its events ({@code false} for an
 *       idempotent retry or an empty append); for a multi-stream append one value per stream,
 *       comma-separated, in request order.
 *   <li>{@code factum-next-position} and {@code factum-end-of-all}: for a read of {@code $all},
 *       where the next page starts and whether the read reached the end of the log, exactly as the
 *       store answered (with a filter, the read may examine records past its last match).
 * </ul>
 *
 * <p>Each call gets its own holder, reached through {@link #current()} while the call's context is
 * attached; the holder is merged into the trailers when the call closes.
 */
public final class FactumTrailers implements ServerInterceptor {

    public static final Metadata.Key<String> WRITTEN = key(FactumWire.WRITTEN);
    public static final Metadata.Key<String> NEXT_POSITION = key(FactumWire.NEXT_POSITION);
    public static final Metadata.Key<String> END_OF_ALL = key(FactumWire.END_OF_ALL);

    private static final Context.Key<Holder> KEY = Context.key("factum-trailers");

    /** The trailers of one call; thread-safe. */
    public static final class Holder {
        private final Metadata trailers = new Metadata();

        /** Sets a trailer, replacing an earlier value. */
        public synchronized void put(Metadata.Key<String> key, String value) {
            trailers.removeAll(key);
            trailers.put(key, value);
        }

        synchronized void mergeInto(Metadata out) {
            out.merge(trailers);
        }
    }

    /** The holder of the call whose context is attached; a detached one outside any call. */
    public static Holder current() {
        Holder holder = KEY.get();
        return holder != null ? holder : new Holder();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Holder holder = new Holder();
        ServerCall<Q, R> withTrailers = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (status.isOk()) {
                    holder.mergeInto(trailers);
                }
                super.close(status, trailers);
            }
        };
        return Contexts.interceptCall(Context.current().withValue(KEY, holder), withTrailers, headers, next);
    }

    private static Metadata.Key<String> key(String name) {
        return Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
    }
}
