package io.factum.framework.migration;

/**
 * Where a running migration is, after each page.
 *
 * @param position the {@code $all} position reached
 * @param head the end of the log (its last position + 1) when the run started: the goal
 * @param sourceEvents source events migrated or dropped so far in this run
 * @param written events written so far in this run
 */
public record MigrationProgress(long position, long head, long sourceEvents, long written) {
    /** How far along, 0 to 1. */
    public double fraction() {
        return head <= 0 ? 1.0 : Math.min(1.0, (double) position / head);
    }
}
