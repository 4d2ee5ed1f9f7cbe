package io.factum.server.append;

import io.factum.api.EventData;
import io.factum.api.StoreLimits;

/**
 * The sizes of one append call as its events arrive, across all its streams, so that an oversized
 * append is refused before it is held in memory. The store checks the same limits again when it
 * appends; this check only makes the refusal early. Not thread-safe: one per call.
 */
public final class AppendBudget {

    private final StoreLimits limits;
    private int events;
    private long bytes;

    AppendBudget(StoreLimits limits) {
        this.limits = limits;
    }

    /**
     * Counts one more event of {@code stream}.
     *
     * @param index the event's index in its stream's part, for the error
     * @throws AppendLimitExceededException when the event or the append is too large, or the append
     *     has too many events
     */
    public void add(String stream, int index, EventData event) {
        if (events >= limits.maxEventsPerAppend()) {
            throw new AppendLimitExceededException(
                    new AppendLimitExceededException.TooManyEvents(events + 1, limits.maxEventsPerAppend()));
        }
        int size = event.sizeBytes();
        if (size > limits.maxEventBytes()) {
            throw new AppendLimitExceededException(new AppendLimitExceededException.EventTooLarge(
                    stream, index, event.eventId(), size, limits.maxEventBytes()));
        }
        if (bytes + size > limits.maxAppendBytes()) {
            throw new AppendLimitExceededException(
                    new AppendLimitExceededException.AppendTooLarge(bytes + size, limits.maxAppendBytes()));
        }
        events++;
        bytes += size;
    }

    /** Events counted so far. */
    public int events() {
        return events;
    }

    /** Payload bytes (data plus metadata) counted so far. */
    public long bytes() {
        return bytes;
    }
}
