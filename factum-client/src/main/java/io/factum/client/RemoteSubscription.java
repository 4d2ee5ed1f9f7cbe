package io.factum.client;

import io.factum.api.FactumException;
import io.factum.api.StoreFailedException;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A catch-up subscription over one server-streaming call: {@code Streams.Read} for streams and
 * {@code $all}, {@code Dcb.Subscribe} for queries ({@link SubscriptionFeed} says how each protocol's
 * messages read). The call uses manual inbound flow
 * control: one message is requested, and the next only after the listener has handled it, so the
 * client never holds more than one undelivered message (plus the call's end) and a slow listener
 * slows the server's read of storage instead of filling memory. The HTTP/2 window bounds what sits
 * in the transport.
 *
 * <p>Every callback runs on the subscription's own virtual thread, one at a time. {@link #close}
 * cancels the call and, unless called from inside a callback, waits until that thread has run
 * {@code onStopped}; the thread checks the stop request before every callback, so nothing is
 * delivered after {@code close} returns.
 */
final class RemoteSubscription<Q, R> implements Subscription {

    /** What the delivery thread takes in, in arrival order. */
    private sealed interface Signal {
        record Message<R>(R response) implements Signal {}

        record Closed(Status status, Metadata trailers) implements Signal {}

        record Stop() implements Signal {}
    }

    private final SubscriptionFeed<Q, R> feed;
    private final ClientCall<Q, R> call;
    private final SubscriptionListener listener;
    private final ErrorMapper errors;
    private final String stream;
    private final Consumer<RemoteSubscription<?, ?>> onFinished;
    // Holds at most one message (one is requested at a time), the call's end and a stop request.
    private final LinkedBlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<String> confirmed = new CompletableFuture<>();
    private final AtomicReference<Optional<Throwable>> stopRequest = new AtomicReference<>();
    private volatile Thread deliverer;
    private volatile String id = "";
    private boolean caughtUp;

    private RemoteSubscription(
            ManagedChannel channel,
            SubscriptionFeed<Q, R> feed,
            SubscriptionListener listener,
            ErrorMapper errors,
            String stream,
            Consumer<RemoteSubscription<?, ?>> onFinished) {
        this.feed = feed;
        this.call = channel.newCall(feed.method(), CallOptions.DEFAULT);
        this.listener = listener;
        this.errors = errors;
        this.stream = stream;
        this.onFinished = onFinished;
    }

    /**
     * Opens the call and waits for the server's confirmation, so that a refusal (a tombstoned
     * stream, bad input, no access) fails this call rather than the listener.
     *
     * @param stream the stream subscribed to, for errors that do not name one ({@code $all}, a query)
     */
    static <Q, R> RemoteSubscription<Q, R> open(
            ManagedChannel channel,
            SubscriptionFeed<Q, R> feed,
            Q request,
            SubscriptionListener listener,
            ErrorMapper errors,
            String stream,
            long confirmTimeoutMs,
            Consumer<RemoteSubscription<?, ?>> onFinished) {
        var subscription = new RemoteSubscription<>(channel, feed, listener, errors, stream, onFinished);
        subscription.start(request);
        try {
            subscription.id = subscription.confirmed.get(confirmTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof FactumException f ? f : new StoreFailedException("subscribe failed", e);
        } catch (TimeoutException e) {
            subscription.call.cancel("no confirmation in time", null);
            throw new StoreFailedException(
                    "the server did not confirm the subscription within " + confirmTimeoutMs + " ms");
        } catch (InterruptedException e) {
            subscription.call.cancel("interrupted", null);
            Thread.currentThread().interrupt();
            throw new StoreFailedException("interrupted while subscribing", e);
        }
        subscription.deliverer = Thread.ofVirtual()
                .name("factum-subscription-" + subscription.id)
                .start(subscription::deliver);
        return subscription;
    }

    private void start(Q request) {
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(R message) {
                        if (!confirmed.isDone()) {
                            Optional<String> confirmation = feed.confirmation(message);
                            if (confirmation.isPresent()) {
                                confirmed.complete(confirmation.get());
                                call.request(1);
                            } else {
                                call.cancel("event before the confirmation", null);
                            }
                            return;
                        }
                        inbox.add(new Signal.Message<>(message));
                    }

                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        if (!confirmed.isDone()) {
                            confirmed.completeExceptionally(errors.map(status.asRuntimeException(trailers), stream));
                            return;
                        }
                        inbox.add(new Signal.Closed(status, trailers));
                    }
                },
                new Metadata());
        call.sendMessage(request);
        call.halfClose();
        call.request(1);
    }

    /** Signals received and not yet taken by the delivery thread (for tests of the bound). */
    int undelivered() {
        return inbox.size();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        stop(Optional.empty());
    }

    /**
     * Stops deliveries; {@code reason} is what {@code onStopped} reports (empty for a close by the
     * subscriber). The first stop request wins.
     */
    void stop(Optional<Throwable> reason) {
        stopRequest.compareAndSet(null, reason);
        call.cancel("subscription closed by the client", null);
        inbox.add(new Signal.Stop());
        Thread thread = deliverer;
        if (thread == null || thread == Thread.currentThread()) {
            return; // inside a callback: onStopped follows once it returns
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver() {
        Optional<Throwable> ended = Optional.empty();
        try {
            ended = loop();
        } finally {
            Optional<Throwable> requested = stopRequest.get();
            try {
                listener.onStopped(this, requested != null ? requested : ended);
            } finally {
                onFinished.accept(this);
            }
        }
    }

    /** Delivers until the subscriber stops or the call ends; returns the error that ended it. */
    private Optional<Throwable> loop() {
        while (true) {
            Signal signal;
            try {
                signal = inbox.take();
            } catch (InterruptedException e) {
                call.cancel("interrupted", e);
                return Optional.of(new StoreFailedException("the subscription's thread was interrupted", e));
            }
            if (stopRequest.get() != null) {
                return Optional.empty();
            }
            switch (signal) {
                case Signal.Stop s -> {
                    return Optional.empty();
                }
                case Signal.Closed c -> {
                    return Optional.of(ended(c));
                }
                case Signal.Message<?> m -> {
                    try {
                        @SuppressWarnings("unchecked") // only this subscription's call adds messages
                        R response = (R) m.response();
                        handle(response);
                    } catch (RuntimeException | Error e) {
                        call.cancel("the listener failed", e);
                        return Optional.of(e);
                    }
                    if (stopRequest.get() != null) {
                        return Optional.empty();
                    }
                    call.request(1);
                }
            }
        }
    }

    private void handle(R response) {
        switch (feed.decode(response)) {
            case SubscriptionFeed.Delivery.Event e -> listener.onEvent(this, e.event());
            case SubscriptionFeed.Delivery.Checkpoint c -> listener.onCheckpoint(this, c.position());
            case SubscriptionFeed.Delivery.CaughtUp c -> {
                if (!caughtUp) {
                    caughtUp = true;
                    listener.onCaughtUp(this);
                }
            }
            case SubscriptionFeed.Delivery.Nothing n -> {}
        }
    }

    private Throwable ended(Signal.Closed closed) {
        if (closed.status().isOk()) {
            return new StoreFailedException("the server ended the subscription without an error");
        }
        StatusRuntimeException error = closed.status().asRuntimeException(closed.trailers());
        return errors.map(error, stream);
    }
}
