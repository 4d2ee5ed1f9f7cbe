package io.factum.framework.projection;

import java.sql.Connection;
import java.util.List;

/**
 * Applies a run of consecutive events to a read model in a relational database at once, inside
 * the transaction that also moves the checkpoint: the place for JDBC batching ({@code addBatch},
 * {@code executeBatch}), which saves a round trip per event. When a batch fails, the sink calls
 * it again one event at a time to find the event that fails, so a bad event parks its own stream
 * and nothing else. Must not commit, roll back or change the connection's auto-commit itself.
 */
@FunctionalInterface
public interface JdbcBatchHandler<E> {
    void handle(Connection transaction, List<EventEnvelope<E>> events) throws Exception;
}
