package io.factum.cluster.internal;

import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Copies another node's store, from where this node's store ends up to the other's state point,
 * chunk by chunk, record by record as they are (positions, versions, ids, times): the node then
 * holds exactly the other's log up to that point, and resumes applying entries after it.
 */
public final class StateTransfer {
    private StateTransfer() {}

    /** A node to copy from: it answers {@link Queries} requests. */
    public interface Source extends AutoCloseable {
        byte[] query(byte[] request) throws IOException;

        @Override
        void close();
    }

    /**
     * Copies until this store reaches the source's state point, and returns that point.
     *
     * @param next this store's next position, read afresh before each chunk
     * @param store appends one chunk of records to this store
     * @throws IOException when the source fails or this store is ahead of the source
     */
    public static Queries.StatePoint copy(
            Source source, LongSupplier next, Consumer<List<RecordedEvent>> store, int chunkBytes) throws IOException {
        Queries.StatePoint target = Queries.decodeStatePoint(source.query(Queries.encode(new Queries.Request.State())));
        long from = next.getAsLong();
        if (from > target.next()) {
            throw new IOException("this node's store holds " + from + " records, more than the " + target.next()
                    + " of the node it was to copy from");
        }
        while (from < target.next()) {
            List<RecordedEvent> chunk = Queries.decodeRecords(
                    source.query(Queries.encode(new Queries.Request.Records(from, target.next(), chunkBytes))));
            if (chunk.isEmpty() || chunk.get(0).position() != from) {
                throw new IOException("the source answered records from position "
                        + (chunk.isEmpty() ? "(none)" : chunk.get(0).position()) + " when asked from " + from);
            }
            store.accept(chunk);
            from = next.getAsLong();
        }
        return target;
    }
}
