package io.factum.framework;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Loads an entity of a stream: its newest usable snapshot, if any, plus the events after it,
 * folded; or every event from the first. While folding it looks for a command's first event, to
 * recognise a redelivered command, and it measures what the next snapshot decision needs.
 */
final class EntityLoader<S, E> {
    private final EventStore store;
    private final Decider<?, S, E> decider;
    private final CommandSupport<E> support;
    private final @Nullable SnapshotStore<S> snapshots;
    private final int recentIds;
    private final LongSupplier nanoTime;
    private final @Nullable EntityCache<S> cache;
    private final System.Logger log = System.getLogger(EntityLoader.class.getName());

    EntityLoader(
            EventStore store,
            Decider<?, S, E> decider,
            CommandSupport<E> support,
            @Nullable SnapshotStore<S> snapshots,
            int recentIds,
            LongSupplier nanoTime,
            @Nullable EntityCache<S> cache) {
        this.store = Objects.requireNonNull(store, "store");
        this.decider = Objects.requireNonNull(decider, "decider");
        this.support = Objects.requireNonNull(support, "support");
        this.snapshots = snapshots;
        this.recentIds = recentIds;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.cache = cache;
    }

    /**
     * One load of an entity.
     *
     * @param version the version of the last event folded (-1: none)
     * @param appliedAt the version of {@code wanted} when the stream holds it (-1: it does not)
     * @param snapshotStreamVersion the snapshot stream's version, for the next snapshot's append
     * @param eventsSinceSnapshot how many events were folded beyond the snapshot (all of them
     *     without one)
     * @param replayNanosPerEvent what reading and folding one of them cost, as last measured
     * @param oldestUnsnapshotted when the first of those was stored (null: there were none)
     * @param recent the ids of the newest events, oldest first, at most the configured number
     */
    record Load<S>(
            S state,
            long version,
            long appliedAt,
            long snapshotStreamVersion,
            long eventsSinceSnapshot,
            long replayNanosPerEvent,
            @Nullable Instant oldestUnsnapshotted,
            List<UUID> recent,
            @Nullable UUID lastEventId) {}

    /** Loads the stream's entity; stops at {@code wanted} (a command's first event id) if it is met. */
    Load<S> load(String stream, @Nullable UUID wanted) {
        EntityCache.Entry<S> cached = cache == null ? null : cache.get(stream);
        if (cached != null) {
            Load<S> load = fromCache(stream, cached, wanted);
            if (load != null) {
                return load;
            }
            cache.remove(stream); // the stream moved under it (deleted, truncated): load it afresh
        }
        Load<S> load = fromStore(stream, wanted);
        remember(stream, load);
        return load;
    }

    /** Keeps a load for the next one (not a load that stopped at a redelivered command). */
    void remember(String stream, Load<S> load) {
        if (cache != null && load.version() >= 0 && load.appliedAt() < 0 && load.lastEventId() != null) {
            cache.put(
                    stream,
                    new EntityCache.Entry<>(
                            load.state(),
                            load.version(),
                            load.lastEventId(),
                            load.recent(),
                            load.snapshotStreamVersion(),
                            load.eventsSinceSnapshot(),
                            load.oldestUnsnapshotted(),
                            load.replayNanosPerEvent()));
        }
    }

    /** A load that goes on from the cached state, or null when the stream no longer holds its event. */
    private @Nullable Load<S> fromCache(String stream, EntityCache.Entry<S> cached, @Nullable UUID wanted) {
        ReadStreamResult result = store.readStream(
                stream, cached.version(), Direction.FORWARDS, store.limits().maxReadCount());
        if (!(result instanceof ReadStreamResult.Found found)
                || found.events().isEmpty()
                || found.events().getFirst().version() != cached.version()
                || !found.events().getFirst().eventId().equals(cached.lastEventId())) {
            return null;
        }
        long started = nanoTime.getAsLong();
        Fold fold = new Fold(cached.state(), cached.version(), cached.recent(), wanted);
        fold.last = cached.lastEventId();
        int at = wanted == null ? -1 : cached.recent().indexOf(wanted);
        if (at >= 0) {
            fold.appliedAt = cached.version() - (cached.recent().size() - 1 - at);
        } else {
            boolean more = true;
            for (RecordedEvent event : found.events().subList(1, found.events().size())) {
                if (!fold.accept(event)) {
                    more = false;
                    break;
                }
            }
            if (more && !found.endOfStream() && found.events().size() > 1) {
                readFrom(stream, found.events().getLast().version() + 1, fold);
            }
        }
        long folded = nanoTime.getAsLong() - started;
        long perEvent = fold.events == 0 ? cached.replayNanosPerEvent() : folded / fold.events;
        return new Load<>(
                fold.state,
                fold.version,
                fold.appliedAt,
                cached.snapshotStreamVersion(),
                cached.eventsSinceSnapshot() + fold.events,
                perEvent,
                cached.oldestUnsnapshotted() != null ? cached.oldestUnsnapshotted() : fold.oldest,
                fold.recent(),
                fold.last);
    }

    private Load<S> fromStore(String stream, @Nullable UUID wanted) {
        SnapshotStore.Latest<S> latest = snapshots == null ? null : snapshots.latest(stream);
        long snapshotStreamVersion = latest == null ? -1 : latest.streamVersion();
        if (latest != null && latest.ignored() != null) {
            log.log(System.Logger.Level.DEBUG, "snapshot of {0} ignored: {1}", stream, latest.ignored());
        }
        long started = nanoTime.getAsLong();
        Fold fold = null;
        if (latest != null && latest.usable() != null) {
            fold = fromSnapshot(stream, latest.usable(), wanted);
        }
        if (fold == null) {
            fold = new Fold(decider.initialState(), -1, List.of(), wanted);
            readFrom(stream, 0, fold);
        }
        long elapsed = nanoTime.getAsLong() - started;
        return new Load<>(
                fold.state,
                fold.version,
                fold.appliedAt,
                snapshotStreamVersion,
                fold.events,
                fold.events == 0 ? 0 : elapsed / fold.events,
                fold.oldest,
                fold.recent(),
                fold.last);
    }

    /**
     * The fold that continues from a snapshot, or null when the stream no longer holds the event
     * the snapshot was taken at (the stream was deleted and written again, or truncated).
     */
    private @Nullable Fold fromSnapshot(String stream, SnapshotStore.Snapshot<S> snapshot, @Nullable UUID wanted) {
        ReadStreamResult first = store.readStream(stream, snapshot.version(), Direction.FORWARDS, 1);
        if (!(first instanceof ReadStreamResult.Found found)
                || found.events().isEmpty()
                || found.events().getFirst().version() != snapshot.version()
                || !found.events().getFirst().eventId().equals(snapshot.eventId())) {
            log.log(
                    System.Logger.Level.DEBUG,
                    "snapshot of {0} at version {1} ignored: the stream no longer holds that event",
                    stream,
                    snapshot.version());
            return null;
        }
        Fold fold = new Fold(snapshot.state(), snapshot.version(), snapshot.recentEventIds(), wanted);
        fold.last = snapshot.eventId();
        int at = wanted == null ? -1 : snapshot.recentEventIds().indexOf(wanted);
        if (at >= 0) {
            fold.appliedAt = snapshot.version() - (snapshot.recentEventIds().size() - 1 - at);
            return fold;
        }
        readFrom(stream, snapshot.version() + 1, fold);
        return fold;
    }

    private void readFrom(String stream, long from, Fold fold) {
        int page = store.limits().maxReadCount();
        while (true) {
            ReadStreamResult result = store.readStream(stream, from, Direction.FORWARDS, page);
            if (!(result instanceof ReadStreamResult.Found found)) {
                return;
            }
            for (RecordedEvent event : found.events()) {
                if (!fold.accept(event)) {
                    return;
                }
            }
            if (found.endOfStream() || found.events().isEmpty()) {
                return;
            }
            from = found.events().getLast().version() + 1;
        }
    }

    /** The state being folded; one per load. */
    private final class Fold {
        S state;
        long version;
        long appliedAt = -1;
        long events;

        @Nullable
        Instant oldest;

        @Nullable
        UUID last;

        /** The ids the load started from (immutable), and those folded since, oldest first. */
        private final List<UUID> base;

        private final ArrayList<UUID> added = new ArrayList<>();
        private final @Nullable UUID wanted;

        Fold(S state, long version, List<UUID> recent, @Nullable UUID wanted) {
            this.state = state;
            this.version = version;
            this.wanted = wanted;
            this.base = List.copyOf(recent); // free when it is immutable already, as cached ones are
        }

        /** Folds the event in; false when it is the wanted one, and loading stops. */
        boolean accept(RecordedEvent event) {
            if (event.eventId().equals(wanted)) {
                appliedAt = event.version();
                return false;
            }
            for (E domainEvent : support.decode(event)) {
                state = decider.evolve(state, domainEvent);
            }
            version = event.version();
            last = event.eventId();
            events++;
            if (oldest == null) {
                oldest = event.created();
            }
            remember(event.eventId());
            return true;
        }

        private void remember(UUID id) {
            if (recentIds == 0) {
                return;
            }
            added.add(id);
            if (added.size() >= 2 * recentIds) {
                added.subList(0, added.size() - recentIds).clear(); // a long replay keeps only the newest
            }
        }

        /** The newest ids, at most the configured number: the start's own list when nothing was folded. */
        List<UUID> recent() {
            if (recentIds == 0) {
                return List.of();
            }
            if (added.isEmpty() && base.size() <= recentIds) {
                return base;
            }
            int fromBase = Math.max(0, Math.min(base.size(), recentIds - added.size()));
            List<UUID> out = new ArrayList<>(Math.min(recentIds, fromBase + added.size()));
            out.addAll(base.subList(base.size() - fromBase, base.size()));
            out.addAll(added.subList(Math.max(0, added.size() - recentIds), added.size()));
            return List.copyOf(out);
        }
    }
}
