package io.factum.framework;

/**
 * What a handler's snapshots did since it was built.
 *
 * @param written snapshots stored
 * @param superseded snapshots not stored because another writer stored one for the entity first
 * @param failed snapshots the store refused or failed to take (the commands were stored all the
 *     same; the next due snapshot tries again)
 */
public record SnapshotStats(long written, long superseded, long failed) {}
