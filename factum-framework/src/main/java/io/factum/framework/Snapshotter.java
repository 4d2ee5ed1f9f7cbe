package io.factum.framework;

import io.factum.framework.EntityLoader.Load;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides, after each command that stored events, whether the entity is due a snapshot, and
 * writes it: the state after the command, at the version the append returned. That state is the
 * loaded state with the command's own events folded in, and nothing else, because the append was
 * conditional on the loaded version.
 */
final class Snapshotter<S> {
    private final SnapshotStore<S> store;
    private final SnapshotPolicy policy;
    private final Executor executor;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong superseded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Moving average of a snapshot write, in nanoseconds. */
    private final AtomicLong cost = new AtomicLong();

    private final System.Logger log = System.getLogger(Snapshotter.class.getName());

    Snapshotter(SnapshotStore<S> store, SnapshotPolicy policy, Executor executor, Clock clock, LongSupplier nanoTime) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * After a command stored {@code newEvents} events on top of {@code load}, bringing the stream
     * to {@code version} (its event {@code lastEventId}), the state to {@code after} and the newest
     * event ids to {@code recent}:
     * writes a snapshot if the policy says it is due, and says whether it did. Never throws: the command is stored whatever
     * happens to its snapshot.
     */
    boolean afterCommand(
            String stream, Load<S> load, S after, int newEvents, UUID lastEventId, List<UUID> recent, long version) {
        try {
            if (!policy.due(progress(load, newEvents))) {
                return false;
            }
            var snapshot = new SnapshotStore.Snapshot<>(after, version, lastEventId, recent);
            executor.execute(() -> writeLogged(stream, snapshot, load.snapshotStreamVersion()));
            return true;
        } catch (RuntimeException e) {
            // The policy or the executor failed: the snapshot waits for the next command.
            failed.incrementAndGet();
            log.log(System.Logger.Level.WARNING, "snapshot of " + stream + " not taken: " + e.getMessage(), e);
            return false;
        }
    }

    SnapshotPolicy.Progress progress(Load<S> load, int newEvents) {
        long events = load.eventsSinceSnapshot() + newEvents;
        Duration age = load.oldestUnsnapshotted() == null
                ? Duration.ZERO
                : Duration.between(load.oldestUnsnapshotted(), clock.instant());
        Duration replay = Duration.ofNanos(load.replayNanosPerEvent() * events);
        return new SnapshotPolicy.Progress(
                events, age.isNegative() ? Duration.ZERO : age, replay, Duration.ofNanos(cost.get()));
    }

    private void writeLogged(String stream, SnapshotStore.Snapshot<S> snapshot, long expectedStreamVersion) {
        try {
            write(stream, snapshot, expectedStreamVersion);
        } catch (RuntimeException e) {
            log.log(
                    System.Logger.Level.WARNING,
                    "snapshot of " + stream + " at version " + snapshot.version()
                            + " failed; the next due snapshot tries again",
                    e);
        }
    }

    /**
     * Writes a snapshot now; false when another writer stored one first.
     *
     * @throws RuntimeException what the store threw (counted as failed)
     */
    boolean write(String stream, SnapshotStore.Snapshot<S> snapshot, long expectedStreamVersion) {
        long started = nanoTime.getAsLong();
        boolean stored;
        try {
            stored = store.write(stream, snapshot, expectedStreamVersion);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            throw e;
        }
        long took = nanoTime.getAsLong() - started;
        cost.updateAndGet(avg -> avg == 0 ? took : avg + (took - avg) / 8);
        (stored ? written : superseded).incrementAndGet();
        return stored;
    }

    SnapshotStats stats() {
        return new SnapshotStats(written.get(), superseded.get(), failed.get());
    }
}
