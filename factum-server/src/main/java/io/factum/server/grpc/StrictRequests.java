package io.factum.server.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * Makes a service answer undecodable requests with INVALID_ARGUMENT naming the method. grpc-java
 * decodes requests before any application code runs and reports a failure there as UNKNOWN
 * ("Application error processing RPC"), which blames the server for the caller's bytes. Here each
 * method takes raw bytes and decodes them inside the call, where a failure can be answered properly.
 */
public final class StrictRequests {

    private StrictRequests() {}

    public static ServerServiceDefinition of(ServerServiceDefinition service) {
        var builder =
                ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            builder.addMethod(strict(method));
        }
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<InputStream, R> strict(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> typed = method.getMethodDescriptor();
        MethodDescriptor<InputStream, R> raw = typed.toBuilder(RawStream.INSTANCE, typed.getResponseMarshaller())
                .build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(raw, (call, headers) -> new Decoding<>(typed, handler, call, headers));
    }

    /** Decodes each raw request and hands it to the real handler; ends the call on bad bytes. */
    private static final class Decoding<Q, R> extends ServerCall.Listener<InputStream> {
        private final MethodDescriptor<Q, R> typed;
        private final TypedCall<Q, R> call;
        private final ServerCall.Listener<Q> delegate;

        Decoding(
                MethodDescriptor<Q, R> typed,
                ServerCallHandler<Q, R> handler,
                ServerCall<InputStream, R> raw,
                Metadata headers) {
            this.typed = typed;
            this.call = new TypedCall<>(raw, typed);
            this.delegate = handler.startCall(call, headers);
        }

        /** gRPC closes the message after this returns, so it is decoded here and nowhere later. */
        @Override
        public void onMessage(InputStream message) {
            if (call.isRefused()) {
                return;
            }
            Q request;
            try {
                request = typed.parseRequest(message);
            } catch (RuntimeException e) {
                call.refuse(Status.INVALID_ARGUMENT.withDescription(
                        "malformed request message for " + typed.getFullMethodName() + ": " + describe(e)));
                return;
            }
            delegate.onMessage(request);
        }

        @Override
        public void onHalfClose() {
            if (!call.isRefused()) {
                delegate.onHalfClose();
            }
        }

        @Override
        public void onCancel() {
            delegate.onCancel();
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }

        @Override
        public void onReady() {
            delegate.onReady();
        }

        private static String describe(RuntimeException e) {
            Status status = Status.fromThrowable(e);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String detail = cause.getMessage();
            return detail != null
                    ? detail
                    : status.getDescription() != null ? status.getDescription() : cause.toString();
        }
    }

    /**
     * The call as the real handler sees it: typed requests. Once a request was refused, whatever the
     * handler still sends is dropped, since the call is already closed.
     */
    private static final class TypedCall<Q, R> extends ServerCall<Q, R> {
        private final ServerCall<InputStream, R> raw;
        private final MethodDescriptor<Q, R> typed;
        private volatile boolean refused;

        TypedCall(ServerCall<InputStream, R> raw, MethodDescriptor<Q, R> typed) {
            this.raw = raw;
            this.typed = typed;
        }

        boolean isRefused() {
            return refused;
        }

        synchronized void refuse(Status status) {
            if (!refused) {
                refused = true;
                raw.close(status, new Metadata());
            }
        }

        @Override
        public void request(int numMessages) {
            raw.request(numMessages);
        }

        @Override
        public void sendHeaders(Metadata headers) {
            if (!refused) {
                raw.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!refused) {
                raw.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!refused) {
                refused = true;
                raw.close(status, trailers);
            }
        }

        @Override
        public boolean isReady() {
            return raw.isReady();
        }

        @Override
        public boolean isCancelled() {
            return raw.isCancelled();
        }

        @Override
        public void setMessageCompression(boolean enabled) {
            raw.setMessageCompression(enabled);
        }

        @Override
        public void setCompression(String compressor) {
            raw.setCompression(compressor);
        }

        @Override
        public Attributes getAttributes() {
            return raw.getAttributes();
        }

        @Override
        public @Nullable String getAuthority() {
            return raw.getAuthority();
        }

        @Override
        public MethodDescriptor<Q, R> getMethodDescriptor() {
            return typed;
        }
    }

    /**
     * Requests as the transport's stream, undecoded: decoding waits until the call can answer a
     * failure. No copy is made; the stream is read once, inside {@link Decoding#onMessage}.
     */
    private enum RawStream implements MethodDescriptor.Marshaller<InputStream> {
        INSTANCE;

        @Override
        public InputStream stream(InputStream value) {
            return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
            return stream;
        }
    }
}
