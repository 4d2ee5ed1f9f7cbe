package io.factum.framework.projection;

import java.sql.Connection;

/**
 * Applies one event to a read model in a relational database, inside the transaction that also
 * moves the projection's checkpoint: the change and the checkpoint commit together or not at all.
 * Must not commit, roll back or change the connection's auto-commit itself.
 */
@FunctionalInterface
public interface JdbcEventHandler<E> {
    void handle(Connection transaction, EventEnvelope<E> event) throws Exception;
}
