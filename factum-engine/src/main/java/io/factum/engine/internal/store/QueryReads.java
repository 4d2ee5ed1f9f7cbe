package io.factum.engine.internal.store;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.RecordedEvent;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads by query over the tag and type index: the index yields the matching positions ({@link
 * QueryCursor}), and only those records are read from the log, so a read costs in proportion to
 * what it returns, never to the size of the log.
 *
 * <p>A read is bounded by the tag index's {@code indexedUpTo} when it starts, which is also the head
 * it reports: the writer indexes a group's records only once they are durable, and publishes a
 * position only after all of that record's keys are in, so every matching record at or below that
 * head is found. Thread-safe.
 */
public final class QueryReads {
    /** Positions whose records are read together: enough for the misses to overlap, few to hold. */
    private static final int BATCH = 32;

    private final SegmentedLog log;
    private final StreamIndex tagIndex;

    public QueryReads(SegmentedLog log, StreamIndex tagIndex) {
        this.log = log;
        this.tagIndex = tagIndex;
    }

    /** The position every read by query is consistent at now (-1 when nothing is indexed). */
    public long head() {
        return tagIndex.indexedUpTo();
    }

    /**
     * The matching events from {@code from} (inclusive) in the direction, at most {@code max}.
     *
     * @throws io.factum.api.StoreFailedException when the index or the log cannot be read
     */
    public QueryReadResult read(Query query, long from, Direction direction, int max) {
        try {
            return readOrThrow(query, from, direction, max);
        } catch (IOException e) {
            throw CommittedState.readFailed("events matching " + query, e);
        }
    }

    private QueryReadResult readOrThrow(Query query, long from, Direction direction, int max) throws IOException {
        long head = tagIndex.indexedUpTo();
        List<RecordedEvent> out = new ArrayList<>(Math.min(max, 256));
        QueryCursor cursor = QueryCursor.of(tagIndex, query, direction, max);
        boolean forwards = direction == Direction.FORWARDS;
        long[] batch = new long[Math.min(max, BATCH)];
        long target = forwards ? from : Math.min(from, head);
        boolean more = true;
        while (more && out.size() < max) {
            // Positions first, a batch at a time, then their records together (see readAll).
            int n = 0;
            int want = Math.min(batch.length, max - out.size());
            while (n < want) {
                long p =
                        forwards ? (target <= head ? cursor.seek(target) : QueryCursor.NONE) : seekBack(cursor, target);
                if (p == QueryCursor.NONE || p > head) {
                    more = false;
                    break;
                }
                batch[n++] = p;
                target = forwards ? p + 1 : p - 1;
            }
            log.readAll(batch, n, out);
        }
        return new QueryReadResult(out, head);
    }

    private static long seekBack(QueryCursor cursor, long target) throws IOException {
        return target < 0 ? QueryCursor.NONE : cursor.seek(target);
    }

    /**
     * The position of the first indexed event matching the query after {@code after}, if any. The
     * writer calls it to check an append condition: everything committed is indexed by then.
     */
    public OptionalLong firstAfter(Query query, long after) throws IOException {
        long p = QueryCursor.of(tagIndex, query, Direction.FORWARDS).seek(after + 1);
        return p == QueryCursor.NONE ? OptionalLong.empty() : OptionalLong.of(p);
    }
}
