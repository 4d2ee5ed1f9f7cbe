package io.factum.api;

/**
 * The outcome of a delete.
 *
 * @param position the global position of the record that marks the delete (the metadata event of a
 *     soft delete, the tombstone of a hard delete)
 */
public record DeleteResult(long position) {}
