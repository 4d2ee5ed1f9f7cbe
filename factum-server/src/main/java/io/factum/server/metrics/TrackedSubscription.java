package io.factum.server.metrics;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One live subscription as the metrics see it: where it is in the global log, so that a scrape can
 * report how far behind the head it runs. Updated by the subscription's own thread, read by scrapes.
 */
public final class TrackedSubscription implements AutoCloseable {

    private final long id;
    private final Transport transport;
    private final boolean toAll;
    private final SubscriptionRegistry registry;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long position = -1;
    private volatile boolean caughtUp;

    TrackedSubscription(long id, Transport transport, boolean toAll, SubscriptionRegistry registry) {
        this.id = id;
        this.transport = transport;
        this.toAll = toAll;
        this.registry = registry;
    }

    /** An event at this global position was handed to the transport. */
    public void delivered(long globalPosition) {
        position = globalPosition;
    }

    /** Every position below {@code exclusive} was examined (a filtered $all checkpoint). */
    public void examinedBelow(long exclusive) {
        position = Math.max(position, exclusive - 1);
    }

    /** The subscription delivered everything committed when it started. */
    public void caughtUp() {
        caughtUp = true;
    }

    long id() {
        return id;
    }

    Transport transport() {
        return transport;
    }

    boolean toAll() {
        return toAll;
    }

    long position() {
        return position;
    }

    boolean isCaughtUp() {
        return caughtUp;
    }

    /** Stops tracking; safe to call more than once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            registry.remove(this);
        }
    }
}
