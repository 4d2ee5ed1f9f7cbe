package io.factum.api;

import java.util.Objects;

/**
 * A read of {@code $all}.
 *
 * @param fromPosition first position to examine (inclusive). Forwards, {@code 0} is the start;
 *     backwards, {@link #END} starts at the head.
 * @param direction read order
 * @param maxCount most events to return, 1 to {@link StoreLimits#maxReadCount()}
 * @param filter which events to return
 */
public record ReadAllOptions(long fromPosition, Direction direction, int maxCount, EventFilter filter) {

    /** Start a backwards read at the newest event. */
    public static final long END = Long.MAX_VALUE;

    public ReadAllOptions {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(filter, "filter");
        if (fromPosition < 0) {
            throw new InvalidInputException("fromPosition", fromPosition, "must be >= 0");
        }
        if (maxCount < 1) {
            throw new InvalidInputException("maxCount", maxCount, "must be >= 1");
        }
    }

    public static ReadAllOptions forwards(long fromPosition, int maxCount) {
        return new ReadAllOptions(fromPosition, Direction.FORWARDS, maxCount, EventFilter.none());
    }

    public static ReadAllOptions backwards(long fromPosition, int maxCount) {
        return new ReadAllOptions(fromPosition, Direction.BACKWARDS, maxCount, EventFilter.none());
    }

    public ReadAllOptions withFilter(EventFilter newFilter) {
        return new ReadAllOptions(fromPosition, direction, maxCount, newFilter);
    }
}
