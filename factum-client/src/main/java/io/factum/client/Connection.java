package io.factum.client;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node a {@link RemoteEventStore} talks to now, and the channels it left behind.
 *
 * <p>A caller reads {@link #current()} (one volatile read, no lock) and makes its call on that
 * node's channel. {@link #move} replaces the current node under the lock and shuts the old channel
 * down gracefully: calls already on it, live subscriptions included, run to their end, and a call
 * that a slower thread starts on it afterwards fails as unreachable, which {@link Failover} answers
 * by retrying on the current node. A retired channel is dropped from the list once it has
 * terminated, so the list holds only channels that still carry calls. {@link #close} shuts every
 * channel down, waits for their calls up to a bound, then cancels what remains.
 *
 * <p>Thread-safe.
 */
final class Connection {

    /** One node: where it is, the channel to it, and the mapper that names it in errors. */
    record Node(ClientOptions.Endpoint endpoint, ManagedChannel channel, ErrorMapper errors) {}

    private final Channels channels;
    private volatile Node current;
    // Guarded by this.
    private final List<ManagedChannel> retired = new ArrayList<>();
    private boolean closed;

    Connection(Channels channels, Node first) {
        this.channels = channels;
        this.current = first;
    }

    /** A node with a new channel; nothing is sent until its first call. */
    static Node open(Channels channels, ClientOptions.Endpoint endpoint) {
        return new Node(endpoint, channels.open(endpoint), new ErrorMapper(endpoint.toString()));
    }

    Node current() {
        return current;
    }

    /**
     * Moves from {@code from} to the node at {@code to} and returns the node to call now. When
     * another thread has moved away from {@code from} already, its move stands (it was decided on
     * news at least as recent) and the current node is returned unchanged; so is it when {@code to}
     * is where {@code from} is, or after {@link #close}.
     */
    synchronized Node move(Node from, ClientOptions.Endpoint to) {
        if (closed || current != from || from.endpoint().equals(to)) {
            return current;
        }
        Node next = open(channels, to);
        current = next;
        retired.removeIf(ManagedChannel::isTerminated);
        from.channel().shutdown();
        retired.add(from.channel());
        return next;
    }

    /** Shuts every channel down; waits up to {@code wait} for the calls in flight, then cancels them. */
    void close(Duration wait) {
        List<ManagedChannel> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(retired);
            all.add(current.channel());
            retired.clear();
        }
        all.forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        for (ManagedChannel channel : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (interrupted || !channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                interrupted = true;
                channel.shutdownNow();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
