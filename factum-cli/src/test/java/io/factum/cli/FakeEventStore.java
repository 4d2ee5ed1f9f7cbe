package io.factum.cli;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A small in-memory {@link EventStore} for the CLI's tests: the semantics the CLI relies on
 * (expected versions, dense versions and positions, soft delete and tombstone, $all filters,
 * metadata as {@code $metadata} events, catch-up-then-live subscriptions, tags, reads and
 * subscriptions by query, conditional appends), none of the idempotency, limits or
 * retention rules. A fixed clock makes the created column predictable. Thread-safe by one lock.
 */
final class FakeEventStore implements EventStore {

    static final Instant CREATED = Instant.parse("2025-03-01T10:15:30.123Z");

    private final Clock clock = Clock.fixed(CREATED, ZoneOffset.UTC);
    private final List<RecordedEvent> log = new ArrayList<>();
    private final Map<String, List<RecordedEvent>> streams = new HashMap<>();
    private final Map<String, StreamMetadataResult> metadata = new HashMap<>();
    private final Set<String> tombstoned = new HashSet<>();
    private final List<FakeSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final StoreLimits limits;
    private boolean closed;
    private int closeCount;

    FakeEventStore() {
        this(StoreLimits.defaults());
    }

    /** With a small {@code maxReadCount}, tests see the CLI page through long reads. */
    FakeEventStore(StoreLimits limits) {
        this.limits = limits;
    }

    @Override
    public synchronized AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        checkOpen();
        checkExpected(stream, expected);
        long current = lastVersion(stream);
        boolean softDeleted = metadata(stream).metadata().isSoftDeleted();
        if (softDeleted && !events.isEmpty()) {
            // A soft-deleted stream written again shows only the new events (KurrentDB semantics).
            StreamMetadata undeleted = metadata(stream).metadata().withTruncateBefore(current + 1);
            metadata.put(
                    stream, new StreamMetadataResult(stream, metadata(stream).metastreamVersion(), undeleted));
        }
        for (EventData event : events) {
            record(stream, ++current, event.eventId(), event.type(), event.data(), event.metadata(), event);
        }
        return new AppendResult(current, log.size() - 1L, !events.isEmpty());
    }

    /** Throws when the stream is tombstoned or the expectation does not hold; no idempotent retries. */
    private void checkExpected(String stream, ExpectedVersion expected) {
        limits.checkStreamName("stream", stream);
        if (tombstoned.contains(stream)) {
            throw new StreamDeletedException(stream);
        }
        long current = lastVersion(stream);
        boolean softDeleted = metadata(stream).metadata().isSoftDeleted();
        boolean ok =
                switch (expected) {
                    case ExpectedVersion.Any a -> true;
                    case ExpectedVersion.NoStream n -> current < 0 || softDeleted;
                    case ExpectedVersion.StreamExists s -> current >= 0 && !softDeleted;
                    case ExpectedVersion.Exact e -> e.version() == current;
                };
        if (!ok) {
            throw new WrongExpectedVersionException(stream, expected, current);
        }
    }

    private void record(String stream, long version, UUID id, String type, byte[] data, byte[] meta, EventData source) {
        RecordedEvent recorded = new RecordedEvent(
                stream,
                version,
                log.size(),
                id,
                type,
                data,
                meta,
                source.contentType(),
                clock.instant(),
                source.tags());
        log.add(recorded);
        streams.computeIfAbsent(stream, s -> new ArrayList<>()).add(recorded);
        subscriptions.forEach(s -> s.offer(recorded));
    }

    /** All expectations, then the condition, then every part: all or nothing under the lock. */
    @Override
    public synchronized List<AppendResult> appendMulti(
            List<StreamAppend> appends, Optional<AppendCondition> condition) {
        checkOpen();
        appends.forEach(part -> checkExpected(part.stream(), part.expected()));
        if (condition.isPresent()) {
            AppendCondition c = condition.get();
            for (RecordedEvent e : log) {
                if (e.position() > c.afterPosition() && c.failIfEventsMatch().matches(e)) {
                    throw new AppendConditionFailedException(c, e.position());
                }
            }
        }
        List<AppendResult> results = new ArrayList<>();
        for (StreamAppend part : appends) {
            results.add(append(part.stream(), part.expected(), part.events()));
        }
        return results;
    }

    @Override
    public synchronized QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        checkOpen();
        boolean forwards = direction == Direction.FORWARDS;
        List<RecordedEvent> matches = (forwards ? log : log.reversed())
                .stream()
                        .filter(e -> forwards ? e.position() >= fromPosition : e.position() <= fromPosition)
                        .filter(query::matches)
                        .limit(maxCount)
                        .toList();
        return new QueryReadResult(matches, log.size() - 1L);
    }

    @Override
    public synchronized ReadStreamResult readStream(
            String stream, long fromVersion, Direction direction, int maxCount) {
        checkOpen();
        if (tombstoned.contains(stream)) {
            throw new StreamDeletedException(stream);
        }
        List<RecordedEvent> all = streams.getOrDefault(stream, List.of());
        StreamMetadata meta = metadata(stream).metadata();
        if (all.isEmpty() || meta.isSoftDeleted()) {
            return new ReadStreamResult.NotFound(stream);
        }
        long floor = meta.truncateBefore().orElse(0);
        List<RecordedEvent> page = new ArrayList<>();
        long last = all.getLast().version();
        long version = direction == Direction.FORWARDS ? Math.max(fromVersion, floor) : Math.min(fromVersion, last);
        while (page.size() < maxCount && version >= floor && version <= last) {
            page.add(all.get((int) version));
            version += direction == Direction.FORWARDS ? 1 : -1;
        }
        boolean end = direction == Direction.FORWARDS ? version > last : version < floor;
        return new ReadStreamResult.Found(page, last, end);
    }

    @Override
    public synchronized ReadAllResult readAll(ReadAllOptions options) {
        checkOpen();
        List<RecordedEvent> page = new ArrayList<>();
        boolean forwards = options.direction() == Direction.FORWARDS;
        long position = forwards ? options.fromPosition() : Math.min(options.fromPosition(), log.size() - 1L);
        while (page.size() < options.maxCount() && position >= 0 && position < log.size()) {
            RecordedEvent event = log.get((int) position);
            if (options.filter().matches(event)) {
                page.add(event);
            }
            position += forwards ? 1 : -1;
        }
        boolean end = forwards ? position >= log.size() : position < 0;
        return new ReadAllResult(page, position, end);
    }

    @Override
    public synchronized Subscription subscribeToStream(
            String stream, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        return subscribe(e -> e.stream().equals(stream), from, listener, streams.getOrDefault(stream, List.of()));
    }

    @Override
    public synchronized Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        checkOpen();
        return subscribe(options.filter()::matches, options.from(), listener, log);
    }

    private Subscription subscribe(
            Predicate<RecordedEvent> filter,
            SubscribeFrom from,
            SubscriptionListener listener,
            List<RecordedEvent> past) {
        FakeSubscription subscription = new FakeSubscription(filter, listener);
        if (from instanceof SubscribeFrom.Start) {
            past.stream().filter(filter).forEach(subscription::offer);
        }
        subscription.offerCaughtUp();
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public synchronized Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        return subscribe(query::matches, from, listener, log);
    }

    @Override
    public synchronized StreamMetadataResult getStreamMetadata(String stream) {
        checkOpen();
        return metadata(stream);
    }

    @Override
    public synchronized AppendResult setStreamMetadata(
            String stream, ExpectedVersion expected, StreamMetadata newMetadata) {
        checkOpen();
        String metastream = SystemNames.metastreamOf(stream);
        long current = metadata(stream).metastreamVersion();
        boolean ok =
                switch (expected) {
                    case ExpectedVersion.Any a -> true;
                    case ExpectedVersion.NoStream n -> current < 0;
                    case ExpectedVersion.StreamExists s -> current >= 0;
                    case ExpectedVersion.Exact e -> e.version() == current;
                };
        if (!ok) {
            throw new WrongExpectedVersionException(metastream, expected, current);
        }
        EventData event = EventData.json(SystemNames.METADATA_TYPE, "{}");
        record(metastream, current + 1, event.eventId(), event.type(), event.data(), new byte[0], event);
        metadata.put(stream, new StreamMetadataResult(stream, current + 1, newMetadata));
        return new AppendResult(current + 1, log.size() - 1L, true);
    }

    @Override
    public synchronized DeleteResult delete(String stream, ExpectedVersion expected) {
        checkOpen();
        long current = lastVersion(stream);
        if (expected instanceof ExpectedVersion.Exact e && e.version() != current) {
            throw new WrongExpectedVersionException(stream, expected, current);
        }
        setStreamMetadata(
                stream, ExpectedVersion.any(), metadata(stream).metadata().withTruncateBefore(StreamMetadata.DELETED));
        return new DeleteResult(log.size() - 1L);
    }

    @Override
    public synchronized DeleteResult tombstone(String stream, ExpectedVersion expected) {
        checkOpen();
        long current = lastVersion(stream);
        if (expected instanceof ExpectedVersion.Exact e && e.version() != current) {
            throw new WrongExpectedVersionException(stream, expected, current);
        }
        EventData marker = EventData.json(SystemNames.STREAM_DELETED_TYPE, "{}");
        record(
                stream,
                RecordedEvent.TOMBSTONE_VERSION,
                marker.eventId(),
                marker.type(),
                marker.data(),
                new byte[0],
                marker);
        tombstoned.add(stream);
        return new DeleteResult(log.size() - 1L);
    }

    @Override
    public synchronized long headPosition() {
        return log.size() - 1L;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            closeCount++;
        }
        subscriptions.forEach(FakeSubscription::close);
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized int closeCount() {
        return closeCount;
    }

    /** Reopens the store for the next CLI invocation, keeping its contents (like a data directory). */
    synchronized void reopen() {
        closed = false;
    }

    /** Subscriptions started so far, for tests that wait for a tail to be listening. */
    List<FakeSubscription> subscriptions() {
        return subscriptions;
    }

    synchronized List<RecordedEvent> eventsOf(String stream) {
        return List.copyOf(streams.getOrDefault(stream, List.of()));
    }

    private long lastVersion(String stream) {
        List<RecordedEvent> events = streams.getOrDefault(stream, List.of());
        return events.isEmpty()
                ? ExpectedVersion.NO_STREAM_VERSION
                : events.getLast().version();
    }

    private StreamMetadataResult metadata(String stream) {
        return metadata.getOrDefault(stream, new StreamMetadataResult(stream, -1, StreamMetadata.empty()));
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("the fake store is closed");
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Delivers on its own thread, in order, from a bounded queue; {@link #awaitDelivered} lets a test
     * wait (bounded) until the listener has returned from the n-th event.
     */
    static final class FakeSubscription implements Subscription {
        private static final Object CAUGHT_UP = new Object();
        private static final Object STOP = new Object();

        private final Predicate<RecordedEvent> filter;
        private final SubscriptionListener listener;
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(10_000);
        private final Semaphore delivered = new Semaphore(0);
        private final Thread thread;

        FakeSubscription(Predicate<RecordedEvent> filter, SubscriptionListener listener) {
            this.filter = filter;
            this.listener = listener;
            this.thread = new Thread(this::deliver, "fake-subscription");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void offer(RecordedEvent event) {
            if (filter.test(event) && !queue.offer(event)) {
                throw new IllegalStateException("fake subscription queue full");
            }
        }

        void offerCaughtUp() {
            queue.add(CAUGHT_UP);
        }

        boolean awaitDelivered(int events, long timeoutSeconds) throws InterruptedException {
            return delivered.tryAcquire(events, timeoutSeconds, TimeUnit.SECONDS);
        }

        private void deliver() {
            try {
                while (true) {
                    Object next = queue.take();
                    if (next == STOP) {
                        listener.onStopped(this, Optional.empty());
                        return;
                    }
                    if (next == CAUGHT_UP) {
                        listener.onCaughtUp(this);
                    } else {
                        listener.onEvent(this, (RecordedEvent) next);
                        delivered.release();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                listener.onStopped(this, Optional.of(e));
            }
        }

        @Override
        public String id() {
            return "fake-" + System.identityHashCode(this);
        }

        @Override
        public void close() {
            if (thread.isAlive() && Thread.currentThread() != thread) {
                queue.offer(STOP);
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
