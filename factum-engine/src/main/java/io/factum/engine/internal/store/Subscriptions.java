package io.factum.engine.internal.store;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StreamDeletedException;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subscriptions by pull: each runs on its own virtual thread and reads the log (or the stream's
 * index) from where it is, a bounded batch at a time, then waits for the next commit. Catch-up and
 * live are the same loop, so there is no switch-over at which an event could be lost or repeated,
 * and a slow listener only slows its own reads: the store never buffers on its behalf.
 *
 * <p>Thread-safe.
 */
public final class Subscriptions implements AutoCloseable {
    /** Records read per step; bounds a subscription's memory. */
    private static final int BATCH = 256;

    /** Longest wait between checks of the closed flag when no commit happens. */
    private static final long IDLE_WAIT_MS = 200;

    /** How long close() waits for a listener callback that is running to return. */
    private static final long CLOSE_WAIT_MS = 10_000;

    private final SegmentedLog log;
    private final StreamIndex index;
    private final CommittedState state;
    private final Clock clock;
    private final CommitNotifier notifier;
    private final Set<Running> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;

    public Subscriptions(
            SegmentedLog log, StreamIndex index, CommittedState state, Clock clock, CommitNotifier notifier) {
        this.log = log;
        this.index = index;
        this.state = state;
        this.clock = clock;
        this.notifier = notifier;
    }

    public Subscription toAll(SubscribeAllOptions options, SubscriptionListener listener) {
        long start =
                switch (options.from()) {
                    case SubscribeFrom.Start s -> 0;
                    case SubscribeFrom.After a -> a.versionOrPosition() + 1;
                    case SubscribeFrom.End e -> log.durablePosition() + 1;
                };
        return launch("all", listener, sub -> runAll(sub, start, options));
    }

    public Subscription toStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        long start;
        try {
            long last = index.lastVersion(stream);
            if (last == RecordedEvent.TOMBSTONE_VERSION) {
                throw new StreamDeletedException(stream);
            }
            start = switch (from) {
                case SubscribeFrom.Start s -> 0;
                case SubscribeFrom.After a -> a.versionOrPosition() + 1;
                case SubscribeFrom.End e -> last + 1;
            };
        } catch (IOException e) {
            throw CommittedState.readFailed("stream '" + stream + "'", e);
        }
        return launch("stream-" + stream, listener, sub -> runStream(sub, stream, start));
    }

    /**
     * Catch-up then live by query: each step reads the matching events after the last position
     * examined, up to the tag index's head, from the index (never scanning the log), so catch-up
     * and live are the same loop here too.
     */
    public Subscription toQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        long start =
                switch (from) {
                    case SubscribeFrom.Start s -> 0;
                    case SubscribeFrom.After a -> a.versionOrPosition() + 1;
                    case SubscribeFrom.End e -> state.queries().head() + 1;
                };
        return launch("query", listener, sub -> runQuery(sub, query, start));
    }

    private Subscription launch(String what, SubscriptionListener listener, Loop loop) {
        if (closed) {
            throw new StoreClosedException("the store is closed");
        }
        Running sub = new Running("sub-" + ids.incrementAndGet() + "-" + what, listener);
        running.add(sub);
        sub.thread = Thread.ofVirtual().name("factum-" + sub.id).unstarted(() -> sub.run(loop));
        sub.thread.start();
        return sub;
    }

    @FunctionalInterface
    private interface Loop {
        void run(Running sub) throws Exception;
    }

    private void runAll(Running sub, long start, SubscribeAllOptions options) throws IOException {
        EventFilter filter = options.filter();
        boolean filtered = !(filter instanceof EventFilter.None);
        long next = start;
        int examinedSinceReport = 0;
        boolean caughtUp = false;
        while (!sub.stopped) {
            long seen = notifier.sequence();
            List<RecordedEvent> batch = log.readForward(next, BATCH);
            if (batch.isEmpty()) {
                if (filtered && examinedSinceReport > 0 && sub.proceed()) {
                    sub.listener.onCheckpoint(sub, next);
                    examinedSinceReport = 0;
                }
                if (!caughtUp && sub.proceed()) {
                    caughtUp = true;
                    sub.listener.onCaughtUp(sub);
                }
                notifier.awaitChange(seen, IDLE_WAIT_MS);
                continue;
            }
            List<RecordedEvent> run = filtered ? new ArrayList<>() : batch;
            if (filtered) {
                for (RecordedEvent e : batch) {
                    if (filter.matches(e)) {
                        run.add(e);
                        examinedSinceReport = 0;
                    } else if (++examinedSinceReport >= options.checkpointInterval()) {
                        if (!deliver(sub, run)) {
                            return;
                        }
                        run = new ArrayList<>();
                        sub.listener.onCheckpoint(sub, e.position() + 1);
                        examinedSinceReport = 0;
                    }
                }
            }
            if (!deliver(sub, run)) {
                return;
            }
            next = batch.getLast().position() + 1;
        }
    }

    /**
     * Hands a run of events over: in one call to a listener that takes runs (it may keep the
     * list), else event by event, stopping as soon as the subscription is closed, even by the
     * listener itself. False once the subscription stopped.
     */
    private static boolean deliver(Running sub, List<RecordedEvent> run) {
        if (!sub.takesRuns) {
            for (RecordedEvent e : run) {
                if (!sub.proceed()) {
                    return false;
                }
                sub.listener.onEvent(sub, e);
            }
        } else if (sub.proceed() && !run.isEmpty()) {
            sub.listener.onEvents(sub, Collections.unmodifiableList(run));
        }
        return sub.proceed();
    }

    private static boolean overridesOnEvents(Class<?> listener) {
        try {
            return listener.getMethod("onEvents", Subscription.class, List.class)
                            .getDeclaringClass()
                    != SubscriptionListener.class;
        } catch (NoSuchMethodException e) {
            return false; // cannot happen: the interface declares it
        }
    }

    private void runQuery(Running sub, Query query, long start) throws IOException {
        long next = start;
        long reported = start;
        boolean caughtUp = false;
        while (!sub.stopped) {
            long seen = notifier.sequence();
            QueryReadResult read = state.queries().read(query, next, Direction.FORWARDS, BATCH);
            for (RecordedEvent e : read.events()) {
                if (!sub.proceed()) {
                    return;
                }
                sub.listener.onEvent(sub, e);
                next = e.position() + 1;
                reported = next;
            }
            if (read.events().size() == BATCH) {
                continue;
            }
            // A short read found every match up to the head: nothing below head + 1 is left.
            next = Math.max(next, read.headPosition() + 1);
            if (next > reported && sub.proceed()) {
                sub.listener.onCheckpoint(sub, next);
                reported = next;
            }
            if (!caughtUp && sub.proceed()) {
                caughtUp = true;
                sub.listener.onCaughtUp(sub);
            }
            notifier.awaitChange(seen, IDLE_WAIT_MS);
        }
    }

    private void runStream(Running sub, String stream, long start) throws IOException {
        long next = start;
        boolean caughtUp = false;
        while (!sub.stopped) {
            long seen = notifier.sequence();
            List<StreamIndex.Entry> entries = index.read(stream, next, Direction.FORWARDS, BATCH);
            if (!entries.isEmpty() && entries.get(0).version() == RecordedEvent.TOMBSTONE_VERSION) {
                throw new StreamDeletedException(stream);
            }
            if (entries.isEmpty()) {
                if (!caughtUp && sub.proceed()) {
                    caughtUp = true;
                    sub.listener.onCaughtUp(sub);
                }
                notifier.awaitChange(seen, IDLE_WAIT_MS);
                continue;
            }
            long last = index.lastVersion(stream);
            if (last == RecordedEvent.TOMBSTONE_VERSION) {
                // Deliver what precedes the tombstone under the metadata as it stood, then stop.
                last = entries.get(entries.size() - 1).version();
            }
            Visibility visibility = Visibility.of(stream, state.metadata(stream).metadata(), last, clock.instant());
            for (StreamIndex.Entry entry : entries) {
                if (entry.version() == RecordedEvent.TOMBSTONE_VERSION) {
                    throw new StreamDeletedException(stream);
                }
                if (!sub.proceed()) {
                    return;
                }
                RecordedEvent e = log.read(entry.position());
                if (visibility.isVisible(e)) {
                    sub.listener.onEvent(sub, e);
                }
                next = entry.version() + 1;
            }
        }
    }

    /** Stops every subscription; each is told the store closed. */
    @Override
    public void close() {
        closed = true;
        for (Running sub : running) {
            sub.stop(Optional.of(new StoreClosedException("the store was closed")));
        }
        notifier.signal();
        for (Running sub : running) {
            sub.awaitExit();
        }
    }

    private final class Running implements Subscription {
        final String id;
        final SubscriptionListener listener;
        /** Whether the listener overrides {@code onEvents}: only then does it get runs in one call. */
        final boolean takesRuns;

        volatile boolean stopped;
        volatile Optional<Throwable> stopReason = Optional.empty();
        Thread thread;

        Running(String id, SubscriptionListener listener) {
            this.id = id;
            this.listener = listener;
            this.takesRuns = overridesOnEvents(listener.getClass());
        }

        boolean proceed() {
            return !stopped;
        }

        void run(Loop loop) {
            Optional<Throwable> error = Optional.empty();
            try {
                loop.run(this);
            } catch (Throwable t) {
                error = Optional.of(t);
            } finally {
                running.remove(this);
            }
            if (error.isEmpty()) {
                error = stopReason;
            }
            try {
                listener.onStopped(this, error);
            } catch (RuntimeException ignored) {
                // The subscription is over; a listener failing in its last callback changes nothing.
            }
        }

        void stop(Optional<Throwable> reason) {
            if (!stopped) {
                stopReason = reason;
                stopped = true;
            }
        }

        void awaitExit() {
            if (Thread.currentThread() == thread) {
                return;
            }
            try {
                thread.join(CLOSE_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void close() {
            stop(Optional.empty());
            notifier.signal();
            awaitExit();
        }
    }
}
