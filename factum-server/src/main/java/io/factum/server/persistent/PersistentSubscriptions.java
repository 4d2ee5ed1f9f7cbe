package io.factum.server.persistent;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ReadStreamResult;
import io.factum.api.StreamDeletedException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The persistent subscriptions subsystem over one store: the groups, their management, and the
 * periodic work (timeouts, checkpoints). Management operations are serialized and durable before
 * they return: a created group is in the configuration stream when {@link #create} returns.
 *
 * <p>Thread-safe. Lookups (connect, info) do not wait for management operations.
 */
public final class PersistentSubscriptions implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PersistentSubscriptions.class.getName());

    /** How often timeouts and checkpoints are looked at: the precision of message timeouts. */
    public static final Duration TICK = Duration.ofMillis(100);

    private final GroupStorage storage;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ReentrantLock manage = new ReentrantLock();
    private final ConcurrentSkipListMap<GroupKey, PersistentGroup> groups = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<GroupKey, AtomicBoolean> ticking = new ConcurrentSkipListMap<>();
    private volatile boolean closed;

    public PersistentSubscriptions(EventStore store, Clock clock, Scheduler scheduler) {
        this.storage = new GroupStorage(store, clock);
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Loads the stored groups, starts them, and starts the periodic work. */
    public PersistentSubscriptions start() {
        manage.lock();
        try {
            loadAndStart();
        } finally {
            manage.unlock();
        }
        scheduler.every(TICK, this::tickAll);
        return this;
    }

    /**
     * Creates a group and starts it.
     *
     * @throws GroupExistsException when the name is taken on that source
     */
    public void create(GroupKey key, GroupSettings settings, FilterSpec filter) {
        manage.lock();
        try {
            ensureOpen();
            if (groups.containsKey(key)) {
                throw new GroupExistsException(key);
            }
            var config = new GroupConfig(key, settings, filter, origin(key, settings.startFrom()));
            List<GroupConfig> all = configs();
            all.add(config);
            storage.saveConfig(all);
            startGroup(config);
        } finally {
            manage.unlock();
        }
    }

    /**
     * Replaces a group's settings (its filter stays). Its consumers are dropped and may reconnect;
     * its checkpoint stays, so {@code startFrom} matters only when it has none.
     *
     * @throws GroupNotFoundException when there is no such group
     */
    public void update(GroupKey key, GroupSettings settings) {
        manage.lock();
        try {
            ensureOpen();
            PersistentGroup old = existing(key);
            GroupConfig before = old.config();
            long origin = settings.startFrom().equals(before.settings().startFrom())
                    ? before.origin()
                    : origin(key, settings.startFrom());
            var config = new GroupConfig(key, settings, before.filter(), origin);
            List<GroupConfig> all = configs();
            all.replaceAll(c -> c.key().equals(key) ? config : c);
            storage.saveConfig(all);
            old.stop(DropReason.GROUP_UPDATED, true);
            startGroup(config);
        } finally {
            manage.unlock();
        }
    }

    /**
     * Deletes a group: drops its consumers, forgets its checkpoint and parked events.
     *
     * @throws GroupNotFoundException when there is no such group
     */
    public void delete(GroupKey key) {
        manage.lock();
        try {
            ensureOpen();
            PersistentGroup group = existing(key);
            List<GroupConfig> all = configs();
            all.removeIf(c -> c.key().equals(key));
            storage.saveConfig(all);
            groups.remove(key);
            ticking.remove(key);
            group.stop(DropReason.GROUP_DELETED, false);
            storage.erase(key);
        } finally {
            manage.unlock();
        }
    }

    /**
     * Joins a group as a consumer.
     *
     * @throws GroupNotFoundException when there is no such group
     * @throws MaximumSubscribersReachedException when the group is full
     */
    public Consumer connect(GroupKey key, ConsumerSpec spec, ConsumerSink sink) {
        // A connect that races with an update finds the old group stopped: look again.
        for (int attempt = 0; attempt < 10; attempt++) {
            ensureOpen();
            try {
                return existing(key).connect(spec, sink);
            } catch (PersistentGroup.GroupStoppedException e) {
                Thread.onSpinWait();
            }
        }
        throw new GroupNotFoundException(key);
    }

    /**
     * @throws GroupNotFoundException when there is no such group
     */
    public GroupInfo info(GroupKey key) {
        return existing(key).info();
    }

    /** Every group, ordered by source then name. */
    public List<GroupInfo> list() {
        return groups.values().stream().map(PersistentGroup::info).toList();
    }

    /**
     * The groups of one source ({@code $all} included).
     *
     * @throws GroupNotFoundException (with an empty group name) when the source has none, as
     *     KurrentDB answers
     */
    public List<GroupInfo> list(String stream) {
        List<GroupInfo> found =
                groups.subMap(new GroupKey(stream, ""), true, new GroupKey(stream + "\0", ""), false).values().stream()
                        .filter(g -> g.key().stream().equals(stream))
                        .map(PersistentGroup::info)
                        .toList();
        if (found.isEmpty()) {
            throw new GroupNotFoundException(new GroupKey(stream, ""));
        }
        return found;
    }

    /**
     * Moves a group's parked events back into delivery, those below {@code stopAt} in the parked
     * stream ({@code Long.MAX_VALUE}: all). Returns at once; the replay runs in the background.
     *
     * @throws GroupNotFoundException when there is no such group
     */
    public void replayParked(GroupKey key, long stopAt) {
        existing(key).replayParked(stopAt);
    }

    /** Stops every group (dropping its consumers), reloads the configuration and starts again. */
    public void restart() {
        manage.lock();
        try {
            ensureOpen();
            stopAll(DropReason.SUBSYSTEM_RESTARTED);
            loadAndStart();
        } finally {
            manage.unlock();
        }
    }

    /** Drops every consumer and writes every group's last checkpoint. */
    @Override
    public void close() {
        manage.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            scheduler.close();
            stopAll(DropReason.SERVER_STOPPING);
        } finally {
            manage.unlock();
        }
    }

    /** Runs every group's periodic work, each on a virtual thread, never two at once per group. */
    void tickAll() {
        for (PersistentGroup group : groups.values()) {
            AtomicBoolean running = ticking.computeIfAbsent(group.key(), k -> new AtomicBoolean());
            if (running.compareAndSet(false, true)) {
                Thread.ofVirtual().name("factum-ps-tick").start(() -> {
                    try {
                        group.tick();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "persistent subscription " + group.key() + ": periodic work failed", e);
                    } finally {
                        running.set(false);
                    }
                });
            }
        }
    }

    /** The group itself, for tests that drive it by hand. */
    Optional<PersistentGroup> group(GroupKey key) {
        return Optional.ofNullable(groups.get(key));
    }

    private void loadAndStart() {
        for (GroupConfig config : storage.loadConfig()) {
            try {
                startGroup(config);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "persistent subscription " + config.key() + " cannot start", e);
            }
        }
    }

    private void startGroup(GroupConfig config) {
        var group = new PersistentGroup(config, storage, clock);
        groups.put(config.key(), group);
        group.start();
    }

    private void stopAll(DropReason reason) {
        for (PersistentGroup group : groups.values()) {
            group.stop(reason, true);
        }
        groups.clear();
        ticking.clear();
    }

    private PersistentGroup existing(GroupKey key) {
        PersistentGroup group = groups.get(key);
        if (group == null) {
            throw new GroupNotFoundException(key);
        }
        return group;
    }

    private List<GroupConfig> configs() {
        List<GroupConfig> all = new ArrayList<>();
        for (PersistentGroup group : groups.values()) {
            all.add(group.config());
        }
        return all;
    }

    /** The first revision or position to deliver: {@code end} is resolved now. */
    private long origin(GroupKey key, StartFrom startFrom) {
        return switch (startFrom) {
            case StartFrom.Start s -> 0;
            case StartFrom.At at -> at.value();
            case StartFrom.End e -> key.isAll() ? storage.store().headPosition() + 1 : streamEnd(key.stream());
        };
    }

    private long streamEnd(String stream) {
        try {
            return switch (storage.store().readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1)) {
                case ReadStreamResult.Found found -> found.lastStreamVersion() + 1;
                case ReadStreamResult.NotFound notFound -> 0;
            };
        } catch (StreamDeletedException e) {
            return 0;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new io.factum.api.StoreClosedException("persistent subscriptions are shut down");
        }
    }
}
