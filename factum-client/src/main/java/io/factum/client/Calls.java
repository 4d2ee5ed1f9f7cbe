package io.factum.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Blocking calls that also return the trailers, which carry Factum's facts on success (see {@code
 * FactumWire}). The stubs' blocking API hides trailers, hence these small wrappers over {@link
 * ClientCall}. A thread interrupted while it waits cancels its call.
 */
final class Calls {

    /** A call's answer and its trailers. */
    record Answer<T>(T value, Metadata trailers) {}

    private Calls() {}

    /** Sends every request, half-closes, and waits for the single response. */
    static <Q, R> Answer<R> clientStreaming(
            Channel channel, MethodDescriptor<Q, R> method, CallOptions options, List<Q> requests) {
        ClientCall<Q, R> call = channel.newCall(method, options);
        CompletableFuture<Answer<R>> result = new CompletableFuture<>();
        call.start(new Collector<>(result), new Metadata());
        call.request(2);
        for (Q request : requests) {
            call.sendMessage(request);
        }
        call.halfClose();
        return await(call, result);
    }

    /** Sends the request and collects every response until the call ends. */
    static <Q, R> Answer<List<R>> serverStreaming(
            Channel channel, MethodDescriptor<Q, R> method, CallOptions options, Q request) {
        ClientCall<Q, R> call = channel.newCall(method, options);
        CompletableFuture<Answer<List<R>>> result = new CompletableFuture<>();
        Collector<R> collector = new Collector<>(null) {
            @Override
            void finish(Status status, Metadata trailers) {
                if (status.isOk()) {
                    result.complete(new Answer<>(List.copyOf(messages), trailers));
                } else {
                    result.completeExceptionally(status.asRuntimeException(trailers));
                }
            }

            @Override
            public void onMessage(R message) {
                super.onMessage(message);
                call.request(1);
            }
        };
        call.start(collector, new Metadata());
        call.sendMessage(request);
        call.halfClose();
        call.request(1);
        return await(call, result);
    }

    /** Listener that keeps the messages and completes the future at the end. */
    private static class Collector<R> extends ClientCall.Listener<R> {
        final List<R> messages = new ArrayList<>();
        private final CompletableFuture<Answer<R>> single;

        Collector(CompletableFuture<Answer<R>> single) {
            this.single = single;
        }

        @Override
        public void onMessage(R message) {
            messages.add(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            finish(status, trailers);
        }

        void finish(Status status, Metadata trailers) {
            if (status.isOk() && messages.size() == 1) {
                single.complete(new Answer<>(messages.getFirst(), trailers));
            } else if (status.isOk()) {
                single.completeExceptionally(Status.INTERNAL
                        .withDescription("the server sent " + messages.size() + " answers to a call that has one")
                        .asRuntimeException());
            } else {
                single.completeExceptionally(status.asRuntimeException(trailers));
            }
        }
    }

    private static <T> T await(ClientCall<?, ?> call, CompletableFuture<T> result) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    // Cancel, then wait for the call's end so no answer arrives unseen.
                    interrupted = true;
                    call.cancel("the calling thread was interrupted", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof StatusRuntimeException s) {
                        throw s;
                    }
                    throw Status.INTERNAL.withCause(e.getCause()).asRuntimeException();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
