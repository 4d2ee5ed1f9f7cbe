package io.factum.server.persistent;

import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One running group: reads its source through a store subscription into a bounded buffer, hands the
 * events to its consumers by its strategy, tracks what is in flight, retries, parks, and
 * checkpoints.
 *
 * <p><b>Checkpoints.</b> Every event read from the source is <i>outstanding</i> (by its sequence:
 * revision or position) until it is acknowledged, skipped or parked. The checkpoint is the highest
 * sequence below every outstanding one; after a restart delivery resumes after it. So every event
 * is delivered at least once, and those processed after the last checkpoint may be delivered again.
 *
 * <p><b>Memory.</b> The read-ahead buffer holds at most the history (catching up) or live buffer
 * size; when it is full the store subscription's thread waits, and the store pulls no further. Each
 * consumer holds at most its buffer size unacknowledged. Retries come from those in flight, and a
 * parked replay waits while the retry queue holds a history buffer's worth.
 *
 * <p><b>Threads.</b> All state is guarded by one lock, never held during store IO: parking and
 * checkpoint writes happen after it is released. Consumers' sinks never block (see {@link
 * ConsumerSink}), so a slow consumer never holds up the others.
 */
final class PersistentGroup {

    private static final System.Logger LOG = System.getLogger(PersistentGroup.class.getName());

    /** Parked entries read per page during a replay. */
    private static final int REPLAY_PAGE = 100;

    private final GroupConfig config;
    private final GroupStorage storage;
    private final Clock clock;
    private final Strategy strategy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition space = lock.newCondition();
    private final ReentrantLock checkpointWriter = new ReentrantLock();

    private final ArrayDeque<Message> buffer = new ArrayDeque<>();
    private final ArrayDeque<Message> retries = new ArrayDeque<>();
    private final TreeSet<Long> outstanding = new TreeSet<>();
    private final TreeSet<Long> outstandingParked = new TreeSet<>();
    private final Map<UUID, InFlight> inFlight = new LinkedHashMap<>();
    private final List<Consumer> consumers = new ArrayList<>();

    private long lastKnown = -1;
    private long checkpointed = -1;
    private boolean everCheckpointed;
    private boolean checkpointRetentionSet;
    private int processedSinceCheckpoint;
    private long lastCheckpointMillis;
    private boolean checkpointDue;
    private long parkedNext;
    private long parkedTruncated;
    private long replayNext;
    private boolean replaying;
    private boolean live;
    private boolean stopped;
    private Optional<Throwable> sourceError = Optional.empty();
    private Optional<Subscription> source = Optional.empty();
    private long consumerNumbers;
    private long totalItems;
    private int itemsInWindow;
    private int itemsPerSecond;
    private long countSinceLastMeasurement;
    private long windowStartMillis;

    private record InFlight(Message message, Consumer consumer, long deadlineMillis) {}

    PersistentGroup(GroupConfig config, GroupStorage storage, Clock clock) {
        this.config = config;
        this.storage = storage;
        this.clock = clock;
        this.strategy = Strategy.of(config.settings().strategy());
    }

    GroupKey key() {
        return config.key();
    }

    GroupConfig config() {
        return config;
    }

    /** Loads the checkpoint and the parked range, then subscribes to the source. */
    void start() {
        OptionalLong checkpoint = storage.readCheckpoint(key());
        GroupStorage.ParkedRange parked = storage.parkedRange(key());
        SubscribeFrom from;
        lock.lock();
        try {
            long now = clock.millis();
            lastCheckpointMillis = now;
            windowStartMillis = now;
            parkedNext = parked.next();
            parkedTruncated = parked.truncatedBefore();
            replayNext = parkedTruncated;
            if (checkpoint.isPresent()) {
                everCheckpointed = true;
                checkpointed = checkpoint.getAsLong();
                lastKnown = checkpointed;
                from = SubscribeFrom.after(checkpointed);
            } else {
                checkpointed = config.origin() - 1;
                lastKnown = checkpointed;
                from = config.origin() == 0 ? SubscribeFrom.start() : SubscribeFrom.after(config.origin() - 1);
            }
        } finally {
            lock.unlock();
        }
        subscribe(from);
    }

    private void subscribe(SubscribeFrom from) {
        var listener = new SourceListener();
        try {
            Subscription subscription = key().isAll()
                    ? storage.store()
                            .subscribeToAll(
                                    new SubscribeAllOptions(
                                            from,
                                            config.filter().toFilter(),
                                            SubscribeAllOptions.DEFAULT_CHECKPOINT_INTERVAL),
                                    listener)
                    : storage.store().subscribeToStream(key().stream(), from, listener);
            lock.lock();
            try {
                if (stopped) {
                    subscription.close();
                } else {
                    source = Optional.of(subscription);
                }
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "persistent subscription " + key() + " cannot read its source", e);
            lock.lock();
            try {
                sourceError = Optional.of(e);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops the group: drops every consumer with {@code reason}, closes the source and, unless the
     * group is being deleted, writes a last checkpoint.
     */
    void stop(DropReason reason, boolean writeCheckpoint) {
        Optional<Subscription> toClose;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            space.signalAll();
            for (Consumer consumer : List.copyOf(consumers)) {
                drop(consumer, reason);
            }
            toClose = source;
            source = Optional.empty();
        } finally {
            lock.unlock();
        }
        toClose.ifPresent(Subscription::close);
        if (writeCheckpoint) {
            writeCheckpoint(true);
            truncateParked();
        }
    }

    Consumer connect(ConsumerSpec spec, ConsumerSink sink) {
        lock.lock();
        try {
            if (stopped) {
                throw new GroupStoppedException();
            }
            int max = config.settings().maxSubscriberCount();
            if (max > 0 && consumers.size() >= max) {
                throw new MaximumSubscribersReachedException(key(), max);
            }
            Consumer consumer = new Consumer(this, spec, sink, ++consumerNumbers);
            consumers.add(consumer);
            dispatch();
            return consumer;
        } finally {
            lock.unlock();
        }
    }

    void ack(Consumer consumer, List<UUID> ids) {
        lock.lock();
        try {
            for (UUID id : ids) {
                takeInFlight(consumer, id).ifPresent(this::processed);
            }
            dispatch();
        } finally {
            lock.unlock();
        }
        writeCheckpointIfDue();
    }

    void nack(Consumer consumer, List<UUID> ids, NackAction action, String reason) {
        List<Message> toPark = new ArrayList<>();
        List<Message> exhausted = new ArrayList<>();
        lock.lock();
        try {
            for (UUID id : ids) {
                Optional<Message> message = takeInFlight(consumer, id);
                if (message.isEmpty()) {
                    continue;
                }
                switch (action) {
                    case SKIP -> processed(message.get());
                    case PARK -> toPark.add(message.get());
                    case RETRY, UNKNOWN, STOP -> retry(message.get(), exhausted);
                }
            }
            if (action == NackAction.STOP && consumers.contains(consumer)) {
                drop(consumer, DropReason.STOPPED_BY_CONSUMER);
            }
            dispatch();
        } finally {
            lock.unlock();
        }
        park(toPark, reason.isEmpty() ? "parked by the consumer" : reason);
        park(exhausted, maxRetriesReason());
        writeCheckpointIfDue();
    }

    void disconnect(Consumer consumer) {
        List<Message> toPark = new ArrayList<>();
        lock.lock();
        try {
            if (!consumers.contains(consumer)) {
                return;
            }
            remove(consumer, toPark);
            dispatch();
        } finally {
            lock.unlock();
        }
        park(toPark, maxRetriesReason());
    }

    /**
     * The periodic work: message timeouts, statistics, timed checkpoints and the parked stream's
     * truncation. Called by the subsystem's scheduler (and directly by tests).
     */
    void tick() {
        List<Message> toPark = new ArrayList<>();
        lock.lock();
        try {
            long now = clock.millis();
            Iterator<InFlight> it = inFlight.values().iterator();
            while (it.hasNext()) {
                InFlight entry = it.next();
                if (entry.deadlineMillis() <= now) {
                    it.remove();
                    entry.consumer().inFlight--;
                    retry(entry.message(), toPark);
                }
            }
            measure(now);
            GroupSettings settings = config.settings();
            if (processedSinceCheckpoint >= settings.minCheckpointCount()
                    && now - lastCheckpointMillis >= settings.checkpointAfterMs()
                    && checkpointable() > checkpointed) {
                checkpointDue = true;
            }
            dispatch();
        } finally {
            lock.unlock();
        }
        park(toPark, maxRetriesReason());
        writeCheckpointIfDue();
        truncateParked();
    }

    /**
     * Starts moving parked events (below {@code stopAt} in the parked stream) back into delivery, on
     * a thread of its own. A replay already running carries on; this call then does nothing.
     */
    void replayParked(long stopAt) {
        lock.lock();
        try {
            if (replaying || stopped) {
                return;
            }
            replaying = true;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("factum-replay-" + key()).start(() -> replay(stopAt));
    }

    GroupInfo info() {
        lock.lock();
        try {
            measure(clock.millis());
            List<GroupInfo.ConnectionInfo> connections = consumers.stream()
                    .map(c -> new GroupInfo.ConnectionInfo(
                            c.spec().from(),
                            c.spec().username(),
                            c.itemsPerSecond,
                            c.totalItems,
                            c.countSinceLastMeasurement,
                            c.spec().bufferSize() - c.inFlight,
                            c.inFlight))
                    .toList();
            var stats = new GroupInfo.Stats(
                    itemsPerSecond,
                    totalItems,
                    countSinceLastMeasurement,
                    everCheckpointed ? OptionalLong.of(checkpointed) : OptionalLong.empty(),
                    lastKnown >= 0 ? OptionalLong.of(lastKnown) : OptionalLong.empty(),
                    buffer.size(),
                    retries.size(),
                    inFlight.size(),
                    Math.max(0, parkedNext - parkedTruncated));
            return new GroupInfo(config, status(), connections, stats);
        } finally {
            lock.unlock();
        }
    }

    private String status() {
        if (sourceError.isPresent()) {
            return "Dropped";
        }
        if (replaying) {
            return "ReplayingParkedMessages";
        }
        return live ? "Live" : "Behind";
    }

    // ---- dispatch (lock held) ----

    private void dispatch() {
        if (consumers.isEmpty()) {
            return;
        }
        int before = buffer.size() + retries.size();
        if (dispatchFrom(retries)) {
            dispatchFrom(buffer);
        }
        if (buffer.size() + retries.size() < before) {
            space.signalAll();
        }
    }

    /** Returns false when no consumer has room left. */
    private boolean dispatchFrom(ArrayDeque<Message> queue) {
        Iterator<Message> it = queue.iterator();
        while (it.hasNext()) {
            Message message = it.next();
            if (inFlight.containsKey(message.id())) {
                continue; // the same event is out already (a parked replay of it): one at a time
            }
            switch (strategy.choose(message, consumers)) {
                case Strategy.Stop stop -> {
                    return false;
                }
                case Strategy.Skip skip -> {}
                case Strategy.To to -> {
                    it.remove();
                    send(to.consumer(), message);
                }
            }
        }
        return true;
    }

    private void send(Consumer consumer, Message message) {
        int timeout = config.settings().messageTimeoutMs();
        long deadline = timeout == 0 ? Long.MAX_VALUE : clock.millis() + timeout;
        inFlight.put(message.id(), new InFlight(message, consumer, deadline));
        consumer.inFlight++;
        consumer.totalItems++;
        consumer.itemsInWindow++;
        totalItems++;
        itemsInWindow++;
        consumer.sink().deliver(message);
    }

    private Optional<Message> takeInFlight(Consumer consumer, UUID id) {
        InFlight entry = inFlight.get(id);
        if (entry == null || entry.consumer() != consumer) {
            return Optional.empty(); // late (timed out and redelivered) or not this consumer's
        }
        inFlight.remove(id);
        consumer.inFlight--;
        return Optional.of(entry.message());
    }

    /** A failed delivery: again with a higher count, or parked once the count is exhausted. */
    private void retry(Message message, List<Message> toPark) {
        if (message.retryCount() >= config.settings().maxRetryCount()) {
            toPark.add(message);
        } else {
            retries.addLast(message.retried());
        }
    }

    private void processed(Message message) {
        if (message.fromParked()) {
            outstandingParked.remove(message.parkedVersion());
            return;
        }
        outstanding.remove(message.sequence());
        processedSinceCheckpoint++;
        if (processedSinceCheckpoint >= config.settings().maxCheckpointCount()) {
            checkpointDue = true;
        }
    }

    private void drop(Consumer consumer, DropReason reason) {
        remove(consumer, new ArrayList<>());
        consumer.sink().dropped(reason);
    }

    /**
     * Takes a consumer out; its unacknowledged events go back for redelivery. As in KurrentDB that
     * counts as a retry, except when the whole group stops (its events are then simply not
     * checkpointed, and are delivered again after the restart or update).
     */
    private void remove(Consumer consumer, List<Message> toPark) {
        consumer.gone = true;
        consumers.remove(consumer);
        strategy.removed(consumer);
        Iterator<InFlight> it = inFlight.values().iterator();
        while (it.hasNext()) {
            InFlight entry = it.next();
            if (entry.consumer() == consumer) {
                it.remove();
                consumer.inFlight--;
                if (stopped) {
                    retries.addLast(entry.message());
                } else {
                    retry(entry.message(), toPark);
                }
            }
        }
    }

    private long checkpointable() {
        return outstanding.isEmpty() ? lastKnown : outstanding.first() - 1;
    }

    private void measure(long now) {
        long elapsed = now - windowStartMillis;
        if (elapsed < 1_000) {
            return;
        }
        itemsPerSecond = (int) (itemsInWindow * 1_000L / elapsed);
        countSinceLastMeasurement = itemsInWindow;
        itemsInWindow = 0;
        for (Consumer consumer : consumers) {
            consumer.itemsPerSecond = (int) (consumer.itemsInWindow * 1_000L / elapsed);
            consumer.countSinceLastMeasurement = consumer.itemsInWindow;
            consumer.itemsInWindow = 0;
        }
        windowStartMillis = now;
    }

    private String maxRetriesReason() {
        return "retry count exceeded: the maximum is " + config.settings().maxRetryCount();
    }

    // ---- store IO (lock not held) ----

    private void park(List<Message> messages, String reason) {
        for (Message message : messages) {
            try {
                long version = storage.park(key(), message, reason);
                lock.lock();
                try {
                    parkedNext = Math.max(parkedNext, version + 1);
                    processed(message);
                } finally {
                    lock.unlock();
                }
            } catch (RuntimeException e) {
                // Not checkpointed past it, so it is delivered again after a restart; meanwhile it
                // goes back to the retry queue rather than being lost.
                LOG.log(Level.WARNING, "persistent subscription " + key() + " cannot park an event", e);
                lock.lock();
                try {
                    retries.addLast(message);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void writeCheckpointIfDue() {
        writeCheckpoint(false);
    }

    private void writeCheckpoint(boolean force) {
        if (force) {
            checkpointWriter.lock();
        } else if (!checkpointWriter.tryLock()) {
            return; // another thread is writing one; it will cover this progress or leave it due
        }
        try {
            long target;
            int counted;
            boolean first;
            lock.lock();
            try {
                if (!checkpointDue && !force) {
                    return;
                }
                checkpointDue = false;
                target = checkpointable();
                if (target <= checkpointed || target < 0) {
                    return;
                }
                counted = processedSinceCheckpoint;
                first = !checkpointRetentionSet;
            } finally {
                lock.unlock();
            }
            storage.writeCheckpoint(key(), target, first);
            lock.lock();
            try {
                checkpointed = target;
                everCheckpointed = true;
                checkpointRetentionSet = true;
                processedSinceCheckpoint = Math.max(0, processedSinceCheckpoint - counted);
                lastCheckpointMillis = clock.millis();
            } finally {
                lock.unlock();
            }
        } catch (StoreFailedException e) {
            // A read-only store: consumers keep getting what is durable; the checkpoint stays where
            // it was, so after a restart the group redelivers from there (at-least-once, as always).
            LOG.log(
                    Level.WARNING,
                    "persistent subscription " + key() + " cannot write its checkpoint; it resumes from its last"
                            + " checkpoint after a restart: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "persistent subscription " + key() + " cannot write its checkpoint", e);
        } finally {
            checkpointWriter.unlock();
        }
    }

    /** Hides the parked entries that were replayed and processed. */
    private void truncateParked() {
        long target;
        lock.lock();
        try {
            target = outstandingParked.isEmpty() ? replayNext : outstandingParked.first();
            if (target <= parkedTruncated) {
                return;
            }
            parkedTruncated = target;
        } finally {
            lock.unlock();
        }
        try {
            storage.truncateParked(key(), target);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "persistent subscription " + key() + " cannot truncate its parked stream", e);
        }
    }

    private void replay(long stopAt) {
        try {
            long from;
            lock.lock();
            try {
                from = replayNext;
            } finally {
                lock.unlock();
            }
            while (from < stopAt) {
                List<RecordedEvent> page = storage.readParked(key(), from, REPLAY_PAGE);
                if (page.isEmpty()) {
                    return;
                }
                for (RecordedEvent entry : page) {
                    if (entry.version() >= stopAt || !requeueParked(entry)) {
                        return;
                    }
                    from = entry.version() + 1;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "persistent subscription " + key() + ": parked replay failed", e);
        } finally {
            lock.lock();
            try {
                replaying = false;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Puts one parked entry back into delivery; false when the group stopped. */
    private boolean requeueParked(RecordedEvent entry) {
        Optional<RecordedEvent> target = storage.resolveLink(entry);
        lock.lock();
        try {
            while (!stopped && retries.size() >= config.settings().historyBufferSize()) {
                space.awaitUninterruptibly();
            }
            if (stopped) {
                return false;
            }
            replayNext = entry.version() + 1;
            if (target.isPresent()) {
                retries.addLast(new Message(target, Optional.empty(), -1, entry.version(), 0));
                outstandingParked.add(entry.version());
                dispatch();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The group stopped between lookup and connect (an update or delete won the race). */
    static final class GroupStoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GroupStoppedException() {
            super("the group stopped", null, false, false);
        }
    }

    /** Receives the source's events on the store subscription's thread. */
    private final class SourceListener implements SubscriptionListener {

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            long sequence = key().isAll() ? event.position() : event.version();
            Message message = config.settings().resolveLinks() && event.type().equals(GroupStorage.LINK_TYPE)
                    ? new Message(storage.resolveLink(event), Optional.of(event), sequence, -1, 0)
                    : Message.of(event, sequence);
            lock.lock();
            try {
                while (!stopped && buffer.size() >= capacity()) {
                    space.await();
                }
                if (stopped) {
                    return;
                }
                buffer.addLast(message);
                outstanding.add(sequence);
                lastKnown = Math.max(lastKnown, sequence);
                dispatch();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            lock.lock();
            try {
                lastKnown = Math.max(lastKnown, position - 1);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            lock.lock();
            try {
                live = true;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            if (error.isEmpty()) {
                return;
            }
            LOG.log(Level.WARNING, "persistent subscription " + key() + " lost its source", error.get());
            lock.lock();
            try {
                if (!stopped) {
                    sourceError = error;
                }
            } finally {
                lock.unlock();
            }
        }

        private int capacity() {
            GroupSettings settings = config.settings();
            return live ? settings.liveBufferSize() : settings.historyBufferSize();
        }
    }
}
