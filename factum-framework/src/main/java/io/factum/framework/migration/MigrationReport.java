package io.factum.framework.migration;

/**
 * What one run of a migration did.
 *
 * @param resumedFrom the {@code $all} position the run started from (0 on the first run)
 * @param position where the next run will start: everything before it is migrated
 * @param sourceEvents source events this run examined and migrated or dropped
 * @param written events this run wrote to target streams
 * @param dropped source events the transform turned into none
 * @param alreadyCopied source events a crashed earlier run had written but not checkpointed
 * @param targetStreams target streams this run wrote to
 */
public record MigrationReport(
        long resumedFrom,
        long position,
        long sourceEvents,
        long written,
        long dropped,
        long alreadyCopied,
        long targetStreams) {}
