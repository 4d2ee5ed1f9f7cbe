package io.factum.api;

import java.util.List;

/**
 * A slice of {@code $all}.
 *
 * @param events matching events in the order requested, at most {@code maxCount}
 * @param nextPosition where the next page starts: forwards, one past the last position examined;
 *     backwards, one below it ({@code -1} when the start of the log was reached). With a filter this
 *     also covers events that were examined and did not match, so a reader resumes without
 *     re-scanning them.
 * @param endOfAll true when the read reached the end of the log (forwards: the head; backwards:
 *     position 0)
 */
public record ReadAllResult(List<RecordedEvent> events, long nextPosition, boolean endOfAll) {
    public ReadAllResult {
        events = List.copyOf(events);
    }
}
