package io.factum.engine;

import java.util.List;

/**
 * How long group commits took: writing a group's frames and forcing them to disk, as one cumulative
 * histogram (the shape Prometheus expects).
 *
 * @param upperBoundsMicros each bucket's upper bound, in microseconds, ascending
 * @param cumulativeCounts flushes that took at most the matching bound
 * @param count all flushes, including those above the last bound
 * @param sumNanos their total duration
 */
public record FlushLatency(List<Long> upperBoundsMicros, List<Long> cumulativeCounts, long count, long sumNanos) {

    public FlushLatency {
        upperBoundsMicros = List.copyOf(upperBoundsMicros);
        cumulativeCounts = List.copyOf(cumulativeCounts);
        if (upperBoundsMicros.size() != cumulativeCounts.size()) {
            throw new IllegalArgumentException("one count per bound: " + upperBoundsMicros.size() + " bounds, "
                    + cumulativeCounts.size() + " counts");
        }
    }

    /** No flush yet. */
    public static FlushLatency none() {
        return new FlushLatency(List.of(), List.of(), 0, 0);
    }
}
