package io.factum.framework.projection;

import java.util.List;

/**
 * Where a projection's effects, checkpoints and dead letters go. Each partition is used by one
 * thread at a time; different partitions concurrently.
 *
 * <p>{@link #commit} is where the delivery guarantee comes from: a sink that applies the steps
 * and moves the checkpoint in one transaction gives exactly-once effects ({@link
 * JdbcProjectionSink}); one that applies them and then moves the checkpoint gives at-least-once,
 * and needs idempotent handlers ({@link StoreCheckpointSink}).
 *
 * @param <E> domain events
 */
public interface ProjectionSink<E> {

    /** Creates what the sink needs (tables, streams) if missing; called once before any other call. */
    default void open(String projection, int partitions) throws Exception {}

    /** The position the partition has applied up to (-1: nothing yet). */
    long checkpoint(int partition) throws Exception;

    /** The partition's dead letters, oldest first. */
    List<DeadLetter> deadLetters(int partition) throws Exception;

    /**
     * Carries out {@code steps} in order and moves the checkpoint from {@code from} to {@code
     * to} ({@code from == to}: it stays).
     *
     * @throws HandlerFailedException when the handler threw on a step
     * @throws CheckpointMovedException when the checkpoint is not at {@code from}
     * @throws Exception when the sink itself failed (the runner retries the commit later)
     */
    void commit(int partition, List<Step<E>> steps, long from, long to) throws Exception;

    /** Forgets every checkpoint and dead letter, and empties the read model, for a rebuild. */
    void reset() throws Exception;
}
