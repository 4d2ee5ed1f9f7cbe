package io.factum.api;

import java.util.Objects;

/**
 * A subscription to {@code $all}.
 *
 * @param from where to start (a global position)
 * @param filter which events to deliver
 * @param checkpointInterval with a filter, report a checkpoint after at most this many events were
 *     examined since the last delivery or checkpoint, so a subscriber to rare events can persist its
 *     place without re-scanning; KurrentDB's {@code checkpointIntervalMultiplier x 32}
 */
public record SubscribeAllOptions(SubscribeFrom from, EventFilter filter, int checkpointInterval) {

    public static final int DEFAULT_CHECKPOINT_INTERVAL = 32;

    public SubscribeAllOptions {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(filter, "filter");
        if (checkpointInterval < 1) {
            throw new InvalidInputException("checkpointInterval", checkpointInterval, "must be >= 1");
        }
    }

    public static SubscribeAllOptions from(SubscribeFrom from) {
        return new SubscribeAllOptions(from, EventFilter.none(), DEFAULT_CHECKPOINT_INTERVAL);
    }

    public SubscribeAllOptions withFilter(EventFilter newFilter) {
        return new SubscribeAllOptions(from, newFilter, checkpointInterval);
    }

    public SubscribeAllOptions withCheckpointInterval(int interval) {
        return new SubscribeAllOptions(from, filter, interval);
    }
}
