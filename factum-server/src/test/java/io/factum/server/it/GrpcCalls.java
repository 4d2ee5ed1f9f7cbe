package io.factum.server.it;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Calls of any shape reduced to the status they ended with, for the hostile-input cases: a call
 * that the server answers normally is {@link Status#OK}, a refused one its status.
 */
final class GrpcCalls {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final long CALL_SECONDS = 30;

    private GrpcCalls() {}

    /** {@code Basic base64(login:password)}. */
    static String basic(String login, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The channel with this {@code authorization} header on every call (none when empty). */
    static Channel as(Channel channel, String authorization) {
        if (authorization.isEmpty()) {
            return channel;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** A unary or server-streaming call made by {@code call}; a stream is drained (at most 5 messages). */
    static Status blocking(Supplier<?> call) {
        try {
            Object result = call.get();
            if (result instanceof java.util.Iterator<?> responses) {
                for (int i = 0; i < 5 && responses.hasNext(); i++) {
                    responses.next();
                }
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    /**
     * A client- or bidi-streaming call: sends the requests, half-closes and waits for the end. A call
     * that answers with a message and stays open (a subscription that was accepted) is OK; one that
     * neither answers nor ends in time is DEADLINE_EXCEEDED.
     */
    static <Q, R> Status streaming(Channel channel, MethodDescriptor<Q, R> method, List<Q> requests) {
        CompletableFuture<Status> done = new CompletableFuture<>();
        var call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS));
        StreamObserver<Q> out = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<R>() {
            @Override
            public void onNext(R value) {
                done.complete(Status.OK.withDescription(
                        "answered: " + value.getClass().getSimpleName()));
            }

            @Override
            public void onError(Throwable t) {
                done.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                done.complete(Status.OK);
            }
        });
        try {
            requests.forEach(out::onNext);
            out.onCompleted();
            return done.get(CALL_SECONDS + 5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            return Status.fromThrowable(e);
        } catch (ExecutionException | TimeoutException e) {
            return Status.DEADLINE_EXCEEDED.withDescription("no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.CANCELLED;
        } finally {
            call.cancel("case over", null);
        }
    }
}
