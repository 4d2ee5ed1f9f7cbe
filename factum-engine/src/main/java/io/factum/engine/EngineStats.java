package io.factum.engine;

import java.util.Optional;

/**
 * A snapshot of an open store's state, for {@code factum stats} and metrics.
 *
 * @param headPosition newest durable position, -1 when empty
 * @param eventCount records in the log (positions 0..head)
 * @param streamCount distinct streams indexed
 * @param segmentCount log segment files
 * @param logBytes bytes in all segments
 * @param indexedUpToPosition the index covers every record up to this position on disk
 * @param indexFileCount persisted index files
 * @param indexBytes bytes in index files
 * @param appendsCommitted appends acknowledged since open
 * @param syncs fsync calls since open (group commits)
 * @param writeQueueDepth appends waiting for the writer now
 * @param flushLatency how long group commits (write and fsync) took since open
 * @param readOnlyReason why the store is read-only ("syncing the log failed: No space left on
 *     device"), empty while it accepts writes; see {@link EmbeddedEventStore#readOnly()}
 */
public record EngineStats(
        long headPosition,
        long eventCount,
        long streamCount,
        int segmentCount,
        long logBytes,
        long indexedUpToPosition,
        int indexFileCount,
        long indexBytes,
        long appendsCommitted,
        long syncs,
        int writeQueueDepth,
        FlushLatency flushLatency,
        Optional<String> readOnlyReason) {

    /** True when a write failure made the store read-only. */
    public boolean readOnly() {
        return readOnlyReason.isPresent();
    }
}
