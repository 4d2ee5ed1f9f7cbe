package io.factum.testkit.memory;

import io.factum.api.EventFilter;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.util.List;
import java.util.Optional;

/**
 * One subscription of an {@link InMemoryEventStore}, on its own thread: it pulls a page, delivers
 * it, and when it has caught up waits for the next commit. Because it pulls, what it holds is at
 * most one page, however slow its listener.
 *
 * <p>Callbacks come from that one thread, in order. {@link #close()} from another thread returns
 * once the thread has ended, so no callback starts afterwards; {@code onStopped} is called exactly
 * once, with no error when the subscriber closed it, with the listener's exception when it threw,
 * and with the store's exception when the store closed or the stream was tombstoned.
 */
final class MemorySubscription implements Subscription {

    private static final System.Logger LOG = System.getLogger(MemorySubscription.class.getName());

    /** A page read under the store's lock. */
    record Page(List<RecordedEvent> records, long next, boolean caughtUp, long head) {}

    /** Where a subscription reads from, and its place there. Used only by the subscription's thread. */
    sealed interface Source permits StreamSource, AllSource, QuerySource {
        /** Pulls the next page and delivers it; returns it so the caller knows whether it caught up. */
        Page pullAndDeliver(MemorySubscription subscription);

        /** Called once a page reached the end of what was committed. */
        default void caughtUp(MemorySubscription subscription) {}
    }

    /** A stream, by version; events hidden by the stream's metadata were skipped by the pull. */
    static final class StreamSource implements Source {
        private final InMemoryEventStore store;
        private final String stream;
        private long nextVersion;

        StreamSource(InMemoryEventStore store, String stream, long nextVersion) {
            this.store = store;
            this.stream = stream;
            this.nextVersion = nextVersion;
        }

        @Override
        public Page pullAndDeliver(MemorySubscription subscription) {
            Page page = store.pullStream(stream, nextVersion);
            for (RecordedEvent event : page.records()) {
                if (!subscription.deliverEvent(event)) {
                    break;
                }
            }
            nextVersion = page.next();
            return page;
        }
    }

    /**
     * {@code $all}, by position, with a filter. It counts the records examined without a match
     * since the last delivery or checkpoint, and reports a checkpoint when the count reaches the
     * interval, and also when it catches up with a count above zero, so that a subscriber to rare
     * events keeps advancing while live.
     */
    static final class AllSource implements Source {
        private final InMemoryEventStore store;
        private final EventFilter filter;
        private final int checkpointInterval;
        private long nextPosition;
        private int examinedSinceMark;

        AllSource(InMemoryEventStore store, long nextPosition, EventFilter filter, int checkpointInterval) {
            this.store = store;
            this.nextPosition = nextPosition;
            this.filter = filter;
            this.checkpointInterval = checkpointInterval;
        }

        @Override
        public Page pullAndDeliver(MemorySubscription subscription) {
            Page page = store.pullAll(nextPosition);
            for (RecordedEvent record : page.records()) {
                boolean open;
                if (filter.matches(record)) {
                    examinedSinceMark = 0;
                    open = subscription.deliverEvent(record);
                } else if (++examinedSinceMark >= checkpointInterval) {
                    examinedSinceMark = 0;
                    open = subscription.deliverCheckpoint(record.position() + 1);
                } else {
                    open = true;
                }
                if (!open) {
                    return page;
                }
            }
            nextPosition = page.next();
            return page;
        }

        @Override
        public void caughtUp(MemorySubscription subscription) {
            if (examinedSinceMark > 0) {
                examinedSinceMark = 0;
                subscription.deliverCheckpoint(nextPosition);
            }
        }
    }

    /**
     * The events matching a query, by position, from the store's tag index: catch-up and live are
     * the same loop. When a page caught up beyond the last delivery (or the start), it reports a
     * checkpoint at the position after the head it read at: every match below it was delivered.
     */
    static final class QuerySource implements Source {
        private final InMemoryEventStore store;
        private final Query query;
        private long nextPosition;
        /** The position after the last event delivered or checkpoint reported. */
        private long reported;

        QuerySource(InMemoryEventStore store, Query query, long nextPosition) {
            this.store = store;
            this.query = query;
            this.nextPosition = nextPosition;
            this.reported = nextPosition;
        }

        @Override
        public Page pullAndDeliver(MemorySubscription subscription) {
            Page page = store.pullQuery(query, nextPosition);
            for (RecordedEvent event : page.records()) {
                if (!subscription.deliverEvent(event)) {
                    return page;
                }
                reported = event.position() + 1;
            }
            nextPosition = page.next();
            return page;
        }

        @Override
        public void caughtUp(MemorySubscription subscription) {
            if (nextPosition > reported && subscription.deliverCheckpoint(nextPosition)) {
                reported = nextPosition;
            }
        }
    }

    private final String id;
    private final InMemoryEventStore store;
    private final Source source;
    private final SubscriptionListener listener;
    private final Thread thread;
    private volatile boolean closeRequested;

    MemorySubscription(String id, InMemoryEventStore store, Source source, SubscriptionListener listener) {
        this.id = id;
        this.store = store;
        this.source = source;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("factum-" + id).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    @Override
    public String id() {
        return id;
    }

    boolean isCloseRequested() {
        return closeRequested;
    }

    @Override
    public void close() {
        closeRequested = true;
        store.wakeSubscribers();
        awaitStopped();
    }

    /** Waits for the thread to end, unless called from it (a listener closing its own subscription). */
    void awaitStopped() {
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                // Keep waiting: returning early would break "no callback after close returns".
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Optional<Throwable> error = Optional.empty();
        boolean caughtUpReported = false;
        try {
            while (!closeRequested) {
                Page page = source.pullAndDeliver(this);
                if (closeRequested || !page.caughtUp()) {
                    continue;
                }
                source.caughtUp(this);
                if (!caughtUpReported && !closeRequested) {
                    caughtUpReported = true;
                    listener.onCaughtUp(this);
                }
                store.awaitCommitAfter(page.head(), this);
            }
        } catch (Throwable t) {
            // The listener's own exception, or the store's (closed, stream tombstoned): both end the
            // subscription and go to onStopped, as SubscriptionListener specifies.
            error = Optional.of(t);
        } finally {
            stopped(error);
        }
    }

    private void stopped(Optional<Throwable> error) {
        store.unregister(this);
        try {
            listener.onStopped(this, closeRequested ? Optional.empty() : error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onStopped of subscription " + id + " threw", e);
        }
    }

    /** Delivers one event unless the subscription was closed; returns whether it is still open. */
    boolean deliverEvent(RecordedEvent event) {
        if (closeRequested) {
            return false;
        }
        listener.onEvent(this, event);
        return true;
    }

    boolean deliverCheckpoint(long position) {
        if (closeRequested) {
            return false;
        }
        listener.onCheckpoint(this, position);
        return true;
    }

    @Override
    public String toString() {
        return "MemorySubscription[" + id + "]";
    }
}
