package io.factum.framework.projection;

/**
 * Applies one event to a read model kept outside a transaction (in memory, or a store whose
 * writes are idempotent). Called for one partition's events in order, on that partition's thread;
 * different partitions call it at the same time.
 */
@FunctionalInterface
public interface EventHandler<E> {
    void handle(EventEnvelope<E> event) throws Exception;
}
