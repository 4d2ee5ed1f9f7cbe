package io.factum.framework;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * When a {@link StreamCommandHandler} writes a snapshot of an entity, checked after each command
 * that stored events. Whatever the policy, {@link StreamCommandHandler#snapshot(String)} writes one
 * on demand.
 */
public sealed interface SnapshotPolicy {

    /**
     * Whether a snapshot is due now.
     *
     * @param progress the entity since its last snapshot, including the events just stored
     */
    boolean due(Progress progress);

    /**
     * An entity since its last snapshot (or since its first event, when it has none).
     *
     * @param events events not covered by the snapshot
     * @param age how long ago the oldest of those events was stored
     * @param replayCost the estimated time to read and fold those events, from the last load's
     *     measured time per event
     * @param snapshotCost the measured time to write a snapshot (the handler's moving average; zero
     *     before its first)
     */
    record Progress(long events, Duration age, Duration replayCost, Duration snapshotCost) {
        public Progress {
            Objects.requireNonNull(age, "age");
            Objects.requireNonNull(replayCost, "replayCost");
            Objects.requireNonNull(snapshotCost, "snapshotCost");
        }
    }

    /** Only when asked, through {@link StreamCommandHandler#snapshot(String)}. */
    static SnapshotPolicy onDemand() {
        return OnDemand.INSTANCE;
    }

    /** When at least {@code count} events were stored since the last snapshot. */
    static SnapshotPolicy everyEvents(long count) {
        return new EveryEvents(count);
    }

    /** When the oldest event not covered by a snapshot was stored at least {@code interval} ago. */
    static SnapshotPolicy every(Duration interval) {
        return new Every(interval);
    }

    /**
     * When replaying the events since the last snapshot costs more than {@code budget} (as measured
     * on the last load) and more than writing a snapshot costs (as measured on the last ones): long
     * or expensive streams get snapshots, cheap ones do not, without a count to tune.
     */
    static SnapshotPolicy adaptive(Duration budget) {
        return new Adaptive(budget);
    }

    /** When any of {@code policies} says so. */
    static SnapshotPolicy anyOf(SnapshotPolicy... policies) {
        return new AnyOf(List.of(policies));
    }

    /** See {@link #onDemand()}. */
    enum OnDemand implements SnapshotPolicy {
        INSTANCE;

        @Override
        public boolean due(Progress progress) {
            return false;
        }
    }

    /** See {@link #everyEvents(long)}. */
    record EveryEvents(long count) implements SnapshotPolicy {
        public EveryEvents {
            if (count < 1) {
                throw new IllegalArgumentException("count must be >= 1, was " + count);
            }
        }

        @Override
        public boolean due(Progress progress) {
            return progress.events() >= count;
        }
    }

    /** See {@link #every(Duration)}. */
    record Every(Duration interval) implements SnapshotPolicy {
        public Every {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive, was " + interval);
            }
        }

        @Override
        public boolean due(Progress progress) {
            return progress.events() > 0 && progress.age().compareTo(interval) >= 0;
        }
    }

    /** See {@link #adaptive(Duration)}. */
    record Adaptive(Duration budget) implements SnapshotPolicy {
        public Adaptive {
            if (budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("budget must be positive, was " + budget);
            }
        }

        @Override
        public boolean due(Progress progress) {
            return progress.events() > 0
                    && progress.replayCost().compareTo(budget) > 0
                    && progress.replayCost().compareTo(progress.snapshotCost()) > 0;
        }
    }

    /** See {@link #anyOf(SnapshotPolicy...)}. */
    record AnyOf(List<SnapshotPolicy> policies) implements SnapshotPolicy {
        public AnyOf {
            policies = List.copyOf(policies);
            if (policies.isEmpty()) {
                throw new IllegalArgumentException("anyOf needs at least one policy");
            }
        }

        @Override
        public boolean due(Progress progress) {
            for (SnapshotPolicy policy : policies) {
                if (policy.due(progress)) {
                    return true;
                }
            }
            return false;
        }
    }
}
