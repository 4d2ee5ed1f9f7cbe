package io.factum.framework;

import io.factum.api.AppendResult;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.WrongExpectedVersionException;
import io.factum.framework.CommandSupport.Loaded;
import io.factum.framework.EntityLoader.Load;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Handles commands whose consistency boundary is one stream: load the entity (its newest snapshot
 * and the events after it, or all its events), decide, append the decided events with the version
 * the state was read at; when another writer appended in between, reload and decide again, as the
 * {@link RetryPolicy} allows. After a command, a snapshot is written when the {@link
 * SnapshotPolicy} says it is due.
 *
 * <p>Idempotent per command id: the events of a command get ids derived from its id, so a second
 * delivery of a command that was stored is recognised, while loading, by its first event's id, and
 * answered {@link CommandResult.AlreadyApplied} without deciding again. With snapshots, the ids of
 * the newest events before a snapshot travel with it ({@link Builder#recentEventIds(int)}), so a
 * redelivery is recognised when its events are among those or after the snapshot. (A delivery
 * racing the first one to the same version is recognised by the store itself, which treats the
 * same ids at the same version as a retry.)
 *
 * <p>Thread-safe, and stateless between calls but for the optional entity cache ({@link
 * Builder#cache(int)}), which is checked against the stream: any number of threads may handle commands, for the
 * same stream or others; conflicts between them are what the retries resolve.
 *
 * @param <C> commands
 * @param <S> state
 * @param <E> events
 */
public final class StreamCommandHandler<C, S, E> {

    private final EventStore store;
    private final Function<? super C, String> streamOf;
    private final Decider<C, S, E> decider;
    private final CommandSupport<E> support;
    private final EntityLoader<S, E> loader;
    private final @Nullable Snapshotter<S> snapshotter;
    private final Clock clock;
    private final int recentEventIds;

    private StreamCommandHandler(Builder<C, S, E> b) {
        this.store = b.store;
        this.decider = b.decider;
        this.streamOf = b.streamOf;
        this.support = b.support(b.codec, b.decider);
        SnapshotStore<S> snapshots =
                b.snapshotCodec == null ? null : new SnapshotStore<>(b.store, b.snapshotCodec, b.snapshotStreamOf, 1);
        this.loader = new EntityLoader<>(
                b.store,
                b.decider,
                support,
                snapshots,
                b.recentEventIds,
                b.nanoTime,
                b.cacheEntities > 0 ? new EntityCache<>(b.cacheEntities) : null);
        this.clock = b.clock;
        this.recentEventIds = b.recentEventIds;
        this.snapshotter = snapshots == null
                ? null
                : new Snapshotter<>(snapshots, b.snapshotPolicy, b.snapshotExecutor, b.clock, b.nanoTime);
    }

    /**
     * @param streamOf the stream a command's entity lives in, for example {@code c -> "account-" +
     *     c.accountId()}
     */
    public static <C, S, E> Builder<C, S, E> builder(
            EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, String> streamOf) {
        return new Builder<>(store, decider, codec, streamOf);
    }

    /**
     * Decides the command against its stream and stores what it decided.
     *
     * @throws RetriesExhaustedException when every attempt met a concurrent write
     * @throws UndecodableEventException when a stored event of the stream does not decode
     * @throws io.factum.api.StreamDeletedException when the stream was tombstoned
     */
    public CommandResult<E> handle(CommandEnvelope<C> envelope) {
        String stream = Objects.requireNonNull(streamOf.apply(envelope.command()), "streamOf returned null");
        return support.handle(
                envelope,
                decider,
                new StreamBoundary(stream, envelope),
                WrongExpectedVersionException.class,
                "stream '" + stream + "'");
    }

    /** The entity's current state, loaded as a command would load it (from its snapshot if any). */
    public EntityState<S> load(String stream) {
        Load<S> load = loader.load(stream, null);
        return new EntityState<>(load.state(), load.version());
    }

    /**
     * Writes a snapshot of the entity now, whatever the policy says.
     *
     * @return the stream version the entity's newest snapshot reflects after the call (-1: the
     *     stream has no events)
     * @throws IllegalStateException when the handler was built without {@link
     *     Builder#snapshots(SnapshotCodec, SnapshotPolicy)}
     */
    public long snapshot(String stream) {
        if (snapshotter == null) {
            throw new IllegalStateException("this handler keeps no snapshots: build it with snapshots(codec, policy)");
        }
        Load<S> load = loader.load(stream, null);
        if (load.version() < 0 || load.eventsSinceSnapshot() == 0) {
            return load.version();
        }
        var snapshot = new SnapshotStore.Snapshot<>(
                load.state(), load.version(), Objects.requireNonNull(load.lastEventId()), load.recent());
        snapshotter.write(stream, snapshot, load.snapshotStreamVersion());
        return load.version();
    }

    /** What this handler's snapshots did (all zero without snapshots). */
    public SnapshotStats snapshotStats() {
        return snapshotter == null ? new SnapshotStats(0, 0, 0) : snapshotter.stats();
    }

    /** One command's attempts against its stream; the attempts run one after another. */
    private final class StreamBoundary implements CommandSupport.Boundary<S, E> {
        private final String stream;
        private final CommandEnvelope<C> envelope;
        private @Nullable Load<S> last;

        StreamBoundary(String stream, CommandEnvelope<C> envelope) {
            this.stream = stream;
            this.envelope = envelope;
        }

        @Override
        public Loaded<S> load() {
            Load<S> load = loader.load(stream, CommandMetadata.eventId(envelope.commandId(), 0));
            last = load;
            if (load.appliedAt() >= 0) {
                return new Loaded<>(load.state(), load.appliedAt() - 1, load.appliedAt() - 1, load.appliedAt());
            }
            return new Loaded<>(load.state(), load.version(), load.version(), -1);
        }

        @Override
        public AppendResult append(List<E> events, Loaded<S> loaded) {
            return store.append(stream, expected(loaded.readAt()), support.encode(envelope, events, e -> List.of()));
        }

        @Override
        public void appended(List<E> events, AppendResult result) {
            Load<S> load = last;
            if (load == null) {
                return;
            }
            List<UUID> ids = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                ids.add(CommandMetadata.eventId(envelope.commandId(), i));
            }
            S after = load.state();
            for (E event : events) {
                after = decider.evolve(after, event);
            }
            List<UUID> recent = new ArrayList<>(load.recent());
            recent.addAll(ids);
            recent =
                    List.copyOf(recent.subList(recent.size() - Math.min(recent.size(), recentEventIds), recent.size()));
            long version = result.streamVersion();
            boolean snapshotted = snapshotter != null
                    && snapshotter.afterCommand(stream, load, after, ids.size(), ids.getLast(), recent, version);
            loader.remember(
                    stream,
                    new Load<>(
                            after,
                            version,
                            -1,
                            snapshotted ? load.snapshotStreamVersion() + 1 : load.snapshotStreamVersion(),
                            snapshotted ? 0 : load.eventsSinceSnapshot() + ids.size(),
                            load.replayNanosPerEvent(),
                            snapshotted
                                    ? null
                                    : load.oldestUnsnapshotted() != null ? load.oldestUnsnapshotted() : clock.instant(),
                            recent,
                            ids.getLast()));
        }
    }

    private static ExpectedVersion expected(long version) {
        return version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
    }

    /** Options of a handler; {@link #build()} makes it. */
    public static final class Builder<C, S, E> extends CommandHandlerBuilder<Builder<C, S, E>> {
        private final EventStore store;
        private final Decider<C, S, E> decider;
        private final EventCodec<E> codec;
        private final Function<? super C, String> streamOf;
        private @Nullable SnapshotCodec<S> snapshotCodec;
        private SnapshotPolicy snapshotPolicy = SnapshotPolicy.onDemand();
        private Function<String, String> snapshotStreamOf = stream -> "snapshot-" + stream;
        private Executor snapshotExecutor = Runnable::run;
        private int recentEventIds = 256;
        private int cacheEntities;
        private Clock clock = Clock.systemUTC();
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(
                EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, String> streamOf) {
            this.store = Objects.requireNonNull(store, "store");
            this.decider = Objects.requireNonNull(decider, "decider");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.streamOf = Objects.requireNonNull(streamOf, "streamOf");
        }

        @Override
        Builder<C, S, E> self() {
            return this;
        }

        /**
         * Keeps snapshots of the entities, written when {@code policy} says so (and on demand,
         * through {@link StreamCommandHandler#snapshot(String)}), and loads entities from them.
         */
        public Builder<C, S, E> snapshots(SnapshotCodec<S> stateCodec, SnapshotPolicy policy) {
            this.snapshotCodec = Objects.requireNonNull(stateCodec, "stateCodec");
            this.snapshotPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The stream an entity's snapshots live in (default: {@code "snapshot-" + stream}). */
        public Builder<C, S, E> snapshotStream(Function<String, String> ofEntityStream) {
            this.snapshotStreamOf = Objects.requireNonNull(ofEntityStream, "ofEntityStream");
            return this;
        }

        /**
         * Where due snapshots are written (default: on the thread that handled the command, after
         * its append). An executor takes that write off the command's latency.
         */
        public Builder<C, S, E> snapshotsOn(Executor executor) {
            this.snapshotExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * How many ids of the events before a snapshot it carries (default 256), so that a command
         * redelivered after a snapshot of its own events is still recognised. 0 keeps none.
         */
        public Builder<C, S, E> recentEventIds(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, was " + count);
            }
            this.recentEventIds = count;
            return this;
        }

        /**
         * Keeps the states of the {@code entities} most recently used entities in memory (default
         * 0: none), so that a command reads only the events stored after the cached version
         * instead of the whole stream or its snapshot. The stream is still read from the cached
         * version on, and the cached event checked by version and id, so writes by other
         * instances are seen.
         */
        public Builder<C, S, E> cache(int entities) {
            if (entities < 0) {
                throw new IllegalArgumentException("entities must be >= 0, was " + entities);
            }
            this.cacheEntities = entities;
            return this;
        }

        /** The wall clock the {@link SnapshotPolicy#every} policy reads (default: system UTC). */
        public Builder<C, S, E> clock(Clock wallClock) {
            this.clock = Objects.requireNonNull(wallClock, "wallClock");
            return this;
        }

        /** The monotonic time source replay and snapshot costs are measured with. */
        public Builder<C, S, E> nanoTime(LongSupplier source) {
            this.nanoTime = Objects.requireNonNull(source, "source");
            return this;
        }

        public StreamCommandHandler<C, S, E> build() {
            return new StreamCommandHandler<>(this);
        }
    }
}
