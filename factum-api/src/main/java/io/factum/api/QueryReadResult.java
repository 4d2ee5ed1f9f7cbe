package io.factum.api;

import java.util.List;

/**
 * The result of a read by query.
 *
 * @param events matching events in the order requested, at most the read's {@code maxCount}
 * @param headPosition the store's head position when the read ran ({@code -1} for an empty store),
 *     also when nothing matched. When the read returned fewer events than it asked for, every
 *     matching event between its start and this position was returned, so a decider may append
 *     with {@code new AppendCondition(query, headPosition)}.
 */
public record QueryReadResult(List<RecordedEvent> events, long headPosition) {
    public QueryReadResult {
        events = List.copyOf(events);
    }
}
