package io.factum.cli;

import io.factum.api.RecordedEvent;

/**
 * Where the verbs that list events ({@code read}, {@code read-all}, {@code tail}) print them: an
 * aligned table for people, or JSON lines for programs. Not thread-safe: one thread prints.
 */
sealed interface EventOutput permits EventTable, EventJsonLines {

    /** Prints (or buffers, to align the table) one event. */
    void event(RecordedEvent event);

    /** Prints whatever is buffered and flushes; a read's table says so when it had no events. */
    void finish();

    /**
     * @param json JSON lines instead of a table
     * @param streaming events arrive one by one over time ({@code tail}): print each at once
     */
    static EventOutput create(boolean json, CliIo io, boolean streaming) {
        return create(json, io, streaming, false);
    }

    /** @param alwaysTags the table has a tags column even when no event carries tags (reads by query) */
    static EventOutput create(boolean json, CliIo io, boolean streaming, boolean alwaysTags) {
        if (json) {
            return new EventJsonLines(io.out());
        }
        return streaming
                ? EventTable.streaming(io.out(), io.widthColumns(), alwaysTags)
                : EventTable.batch(io.out(), io.widthColumns(), alwaysTags);
    }
}
