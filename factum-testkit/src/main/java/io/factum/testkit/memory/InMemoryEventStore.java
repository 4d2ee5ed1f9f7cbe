package io.factum.testkit.memory;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.api.SystemNames;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The reference {@link EventStore}: every contract rule of {@code factum-api}, kept in memory. It is
 * the TCK's proof that the suite can be passed and the store the framework's tests run on.
 *
 * <p>Thread-safety: one lock guards the whole state (a list for {@code $all} and maps per stream,
 * see {@link MemoryState}); every operation takes it once, so each is atomic and they are totally
 * ordered: positions are dense and commit order is position order. Events handed out are copies,
 * so callers cannot change what is stored.
 *
 * <p>Subscriptions run on their own thread each and pull pages of at most {@value #PAGE_SIZE}
 * records under the lock, then deliver them without it: a slow subscriber holds one page, never an
 * unbounded backlog, and never blocks writers. A subscriber that caught up waits on a condition
 * signalled by every commit.
 *
 * <p>The metadata rules (soft delete, undelete on append, visibility) are KurrentDB's; see {@link
 * MemoryState}.
 *
 * <p>Dynamic consistency boundaries: reads and subscriptions by query go through {@link
 * MemoryTagIndex} (posting lists by type and by tag), never a scan of the log. A conditional
 * append is decided under the lock like any append: expectations first, then the condition
 * against the state before the append, so two appends whose conditions conflict never both
 * succeed.
 */
public final class InMemoryEventStore implements EventStore {

    /** Records per subscription pull: enough to amortise the lock, small enough to bound memory. */
    static final int PAGE_SIZE = 256;

    private final Clock clock;
    private final StoreLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committed = lock.newCondition();
    private final MemoryState state = new MemoryState();
    private final Set<MemorySubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private boolean closed;
    /** The newest write's creation time; guarded by {@link #lock}. */
    private Instant lastStamp = Instant.MIN;

    /**
     * @param clock the source of event timestamps and of "now" for {@code maxAge}
     * @param limits the limits enforced on input
     */
    public InMemoryEventStore(Clock clock, StoreLimits limits) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** A store on the system clock (UTC) with {@link StoreLimits#defaults()}. */
    public InMemoryEventStore() {
        this(Clock.systemUTC(), StoreLimits.defaults());
    }

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        Objects.requireNonNull(expected, "expected");
        checkWrite(stream, events);
        return appendParts(List.of(new StreamAppend(stream, expected, events)), Optional.empty())
                .getFirst();
    }

    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        Objects.requireNonNull(condition, "condition");
        condition.ifPresent(c -> limits.checkQuery("condition.failIfEventsMatch", c.failIfEventsMatch()));
        if (appends.isEmpty()) {
            throw new InvalidInputException("appends", "[]", "needs at least one stream");
        }
        Set<String> seen = new HashSet<>();
        long events = 0;
        long bytes = 0;
        for (StreamAppend part : appends) {
            bytes += checkWrite(part.stream(), part.events());
            events += part.events().size();
            if (!seen.add(part.stream())) {
                throw new InvalidInputException("stream", part.stream(), "appears more than once in one append");
            }
        }
        if (events > limits.maxEventsPerAppend()) {
            throw new InvalidInputException(
                    "events", events + " events", "an append may carry at most " + limits.maxEventsPerAppend());
        }
        if (bytes > limits.maxAppendBytes()) {
            throw new InvalidInputException(
                    "events", bytes + " bytes", "an append may carry at most " + limits.maxAppendBytes() + " bytes");
        }
        return appendParts(appends, condition);
    }

    /**
     * A write's creation time: the clock, but never older than the previous write's, so that a
     * stream's events are created in version order even when the wall clock steps back. Call with
     * the lock held.
     */
    private Instant stamp() {
        Instant now = clock.instant();
        lastStamp = now.isBefore(lastStamp) ? lastStamp : now;
        return lastStamp;
    }

    /**
     * Decides every part first, then the condition, so that a failing part or condition leaves
     * everything unwritten. The expectations are checked first, as the engine does: a retry of a
     * stored append (every part settled, none written) succeeds without checking the condition,
     * which its own events now break, and returns what the first attempt returned.
     */
    private List<AppendResult> appendParts(List<StreamAppend> parts, Optional<AppendCondition> condition) {
        lock.lock();
        try {
            ensureOpen();
            List<MemoryState.Decision> decisions = new ArrayList<>(parts.size());
            for (StreamAppend part : parts) {
                decisions.add(state.decide(part.stream(), part.expected(), part.events()));
            }
            boolean writes = decisions.stream().anyMatch(d -> d instanceof MemoryState.Decision.Write);
            boolean retried = decisions.stream().anyMatch(d -> d instanceof MemoryState.Decision.Done);
            if (condition.isPresent() && (writes || !retried)) {
                checkCondition(condition.get());
            }
            Instant now = stamp();
            List<AppendResult> results = new ArrayList<>(parts.size());
            for (int i = 0; i < parts.size(); i++) {
                StreamAppend part = parts.get(i);
                results.add(
                        switch (decisions.get(i)) {
                            case MemoryState.Decision.Done done -> done.result();
                            case MemoryState.Decision.Empty empty ->
                                new AppendResult(empty.streamVersion(), state.headPosition(), false);
                            case MemoryState.Decision.Write write ->
                                state.write(part.stream(), write, part.events(), now);
                        });
            }
            committed.signalAll();
            return List.copyOf(results);
        } finally {
            lock.unlock();
        }
    }

    /** The condition against the state before this append: its own events never break it. */
    private void checkCondition(AppendCondition condition) {
        OptionalLong conflict = state.firstMatchAfter(condition.failIfEventsMatch(), condition.afterPosition());
        if (conflict.isPresent()) {
            throw new AppendConditionFailedException(condition, conflict.getAsLong());
        }
    }

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        limits.checkStreamName("stream", stream);
        Objects.requireNonNull(direction, "direction");
        limits.checkReadCount(maxCount);
        if (fromVersion < 0) {
            throw new InvalidInputException("fromVersion", fromVersion, "must be >= 0");
        }
        lock.lock();
        try {
            ensureOpen();
            state.requireNotTombstoned(stream);
            long last = state.lastVersion(stream);
            if (last < 0 || state.metadataOf(stream).isSoftDeleted()) {
                return new ReadStreamResult.NotFound(stream);
            }
            Instant now = clock.instant();
            boolean forwards = direction == Direction.FORWARDS;
            long step = forwards ? 1 : -1;
            List<RecordedEvent> events = new ArrayList<>();
            boolean endOfStream = true;
            long first = state.firstCandidateVersion(stream);
            long v = forwards ? Math.max(fromVersion, first) : Math.min(fromVersion, last);
            for (; v >= first && v <= last; v += step) {
                RecordedEvent event = state.eventAt(stream, v);
                if (!state.isVisible(stream, event, now)) {
                    continue;
                }
                if (events.size() == maxCount) {
                    endOfStream = false;
                    break;
                }
                events.add(copy(event));
            }
            return new ReadStreamResult.Found(events, last, endOfStream);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions options) {
        limits.checkReadCount(options.maxCount());
        lock.lock();
        try {
            ensureOpen();
            long head = state.headPosition();
            List<RecordedEvent> events = new ArrayList<>();
            if (options.direction() == Direction.FORWARDS) {
                long p = options.fromPosition();
                for (; p <= head && events.size() < options.maxCount(); p++) {
                    addIfMatches(events, state.recordAt(p), options);
                }
                return new ReadAllResult(events, p, p > head);
            }
            long p = Math.min(options.fromPosition(), head);
            for (; p >= 0 && events.size() < options.maxCount(); p--) {
                addIfMatches(events, state.recordAt(p), options);
            }
            return new ReadAllResult(events, p, p < 0);
        } finally {
            lock.unlock();
        }
    }

    private static void addIfMatches(List<RecordedEvent> events, RecordedEvent record, ReadAllOptions options) {
        if (options.filter().matches(record)) {
            events.add(copy(record));
        }
    }

    /**
     * Reads by query through the {@link MemoryTagIndex}. Like {@code $all}, it returns every stored
     * match whatever its stream's metadata says; the head is the one the read ran at.
     */
    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        limits.checkQuery("query", query);
        Objects.requireNonNull(direction, "direction");
        limits.checkReadCount(maxCount);
        if (fromPosition < 0) {
            throw new InvalidInputException("fromPosition", fromPosition, "must be >= 0");
        }
        lock.lock();
        try {
            ensureOpen();
            List<RecordedEvent> events = state.matching(query, fromPosition, direction, maxCount).stream()
                    .map(InMemoryEventStore::copy)
                    .toList();
            return new QueryReadResult(events, state.headPosition());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        limits.checkStreamName("stream", stream);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            ensureOpen();
            state.requireNotTombstoned(stream);
            long next =
                    switch (from) {
                        case SubscribeFrom.Start start -> 0;
                        case SubscribeFrom.After after -> after.versionOrPosition() + 1;
                        case SubscribeFrom.End end -> state.lastVersion(stream) + 1;
                    };
            return start(new MemorySubscription.StreamSource(this, stream, next), listener);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            ensureOpen();
            long next =
                    switch (options.from()) {
                        case SubscribeFrom.Start start -> 0;
                        case SubscribeFrom.After after -> after.versionOrPosition() + 1;
                        case SubscribeFrom.End end -> state.headPosition() + 1;
                    };
            return start(
                    new MemorySubscription.AllSource(this, next, options.filter(), options.checkpointInterval()),
                    listener);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        limits.checkQuery("query", query);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            ensureOpen();
            long next =
                    switch (from) {
                        case SubscribeFrom.Start start -> 0;
                        case SubscribeFrom.After after -> after.versionOrPosition() + 1;
                        case SubscribeFrom.End end -> state.headPosition() + 1;
                    };
            return start(new MemorySubscription.QuerySource(this, query, next), listener);
        } finally {
            lock.unlock();
        }
    }

    private Subscription start(MemorySubscription.Source source, SubscriptionListener listener) {
        String id = "memory-subscription-" + subscriptionIds.incrementAndGet();
        MemorySubscription subscription = new MemorySubscription(id, this, source, listener);
        subscriptions.add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        checkOrdinaryStream(stream);
        lock.lock();
        try {
            ensureOpen();
            state.requireNotTombstoned(stream);
            return new StreamMetadataResult(stream, state.metastreamVersion(stream), state.metadataOf(stream));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a {@code $metadata} event to the stream's metastream, exactly as a KurrentDB client
     * does: the expectation is on the metastream, and the event is an ordinary one there.
     */
    @Override
    public AppendResult setStreamMetadata(
            String stream, ExpectedVersion expectedMetastreamVersion, StreamMetadata metadata) {
        checkOrdinaryStream(stream);
        Objects.requireNonNull(expectedMetastreamVersion, "expectedMetastreamVersion");
        EventData event = new EventData(
                UUID.randomUUID(),
                SystemNames.METADATA_TYPE,
                StreamMetadataCodec.encode(metadata),
                new byte[0],
                ContentType.JSON);
        return append(SystemNames.metastreamOf(stream), expectedMetastreamVersion, List.of(event));
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        checkOrdinaryStream(stream);
        Objects.requireNonNull(expected, "expected");
        lock.lock();
        try {
            ensureOpen();
            state.decide(stream, expected, List.of());
            StreamMetadata deleted = state.metadataOf(stream).withTruncateBefore(StreamMetadata.DELETED);
            AppendResult result = state.writeMetadata(stream, deleted, stamp());
            committed.signalAll();
            return new DeleteResult(result.position());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        checkOrdinaryStream(stream);
        Objects.requireNonNull(expected, "expected");
        lock.lock();
        try {
            ensureOpen();
            state.decide(stream, expected, List.of());
            long position = state.writeTombstone(stream, stamp());
            committed.signalAll();
            return new DeleteResult(position);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long headPosition() {
        lock.lock();
        try {
            ensureOpen();
            return state.headPosition();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    /**
     * Closes the store: later operations fail with {@link StoreClosedException}, and every running
     * subscription stops with that error; returns once their threads have ended (except the calling
     * thread's own, when a listener closes the store).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            committed.signalAll();
        } finally {
            lock.unlock();
        }
        for (MemorySubscription subscription : subscriptions) {
            subscription.awaitStopped();
        }
    }

    /**
     * Checks one stream's part of an append; returns the payload bytes. A metastream takes only
     * {@code $metadata} events whose data is valid metadata, since its last event is the stream's
     * metadata.
     */
    private long checkWrite(String stream, List<EventData> events) {
        long bytes = limits.checkAppend(stream, events);
        if (SystemNames.isMetastream(stream)) {
            for (EventData event : events) {
                if (!event.type().equals(SystemNames.METADATA_TYPE)) {
                    throw new InvalidInputException(
                            "eventType",
                            event.type(),
                            "a metastream takes only " + SystemNames.METADATA_TYPE + " events");
                }
                StreamMetadataCodec.decode(event.data());
            }
        }
        return bytes;
    }

    /** Metadata and deletes address a stream by its own name, never by its metastream's. */
    private void checkOrdinaryStream(String stream) {
        limits.checkStreamName("stream", stream);
        if (SystemNames.isMetastream(stream)) {
            throw new InvalidInputException("stream", stream, "is a metastream; name the stream it describes");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreClosedException("the in-memory event store is closed");
        }
    }

    static RecordedEvent copy(RecordedEvent e) {
        return new RecordedEvent(
                e.stream(),
                e.version(),
                e.position(),
                e.eventId(),
                e.type(),
                e.data().clone(),
                e.metadata().clone(),
                e.contentType(),
                e.created(),
                e.tags());
    }

    // ---- used by subscriptions ----

    /** A page of a stream for a subscription: visible events from {@code fromVersion} on. */
    MemorySubscription.Page pullStream(String stream, long fromVersion) {
        lock.lock();
        try {
            ensureOpen();
            state.requireNotTombstoned(stream);
            long last = state.lastVersion(stream);
            long head = state.headPosition();
            Instant now = clock.instant();
            List<RecordedEvent> events = new ArrayList<>();
            // Skip what metadata hides, but never beyond the stream's end: events written later are
            // judged by the metadata of their own delivery time.
            long start = Math.max(fromVersion, Math.min(state.firstCandidateVersion(stream), last + 1));
            long v = start;
            for (; v <= last && v - start < PAGE_SIZE; v++) {
                RecordedEvent event = state.eventAt(stream, v);
                if (state.isVisible(stream, event, now)) {
                    events.add(copy(event));
                }
            }
            return new MemorySubscription.Page(events, v, v > last, head);
        } finally {
            lock.unlock();
        }
    }

    /** A page of {@code $all} for a subscription: every record from {@code fromPosition} on. */
    MemorySubscription.Page pullAll(long fromPosition) {
        lock.lock();
        try {
            ensureOpen();
            long head = state.headPosition();
            long to = Math.min(head + 1, fromPosition + PAGE_SIZE);
            List<RecordedEvent> records = new ArrayList<>();
            for (long p = fromPosition; p < to; p++) {
                records.add(copy(state.recordAt(p)));
            }
            return new MemorySubscription.Page(records, Math.max(to, fromPosition), to > head, head);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A page of matches for a query subscription: at most {@value #PAGE_SIZE} events from {@code
     * fromPosition} on. A short page found every match up to its head, so it is caught up.
     */
    MemorySubscription.Page pullQuery(Query query, long fromPosition) {
        lock.lock();
        try {
            ensureOpen();
            long head = state.headPosition();
            List<RecordedEvent> events = state.matching(query, fromPosition, Direction.FORWARDS, PAGE_SIZE).stream()
                    .map(InMemoryEventStore::copy)
                    .toList();
            boolean caughtUp = events.size() < PAGE_SIZE;
            long next = caughtUp
                    ? Math.max(fromPosition, head + 1)
                    : events.getLast().position() + 1;
            return new MemorySubscription.Page(events, next, caughtUp, head);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a record beyond {@code seenHead} is committed, the store closes, or the subscription stops. */
    void awaitCommitAfter(long seenHead, MemorySubscription subscription) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && !subscription.isCloseRequested() && state.headPosition() == seenHead) {
                // Bounded so that a missed signal could only delay, never hang, a subscriber.
                committed.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting subscriber, so that one asked to stop notices it. */
    void wakeSubscribers() {
        lock.lock();
        try {
            committed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void unregister(MemorySubscription subscription) {
        subscriptions.remove(subscription);
    }
}
