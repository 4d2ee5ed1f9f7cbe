package io.factum.framework.migration;

import java.util.List;

/**
 * What the target streams hold compared with what the transform makes of the source events
 * migrated so far (those before the checkpoint).
 *
 * @param sourceEvents source events before the checkpoint
 * @param expectedEvents events the transform makes of them
 * @param targetStreams target streams that should exist
 * @param mismatches one line per target stream that differs (empty: the migration is complete
 *     and exact)
 */
public record Verification(long sourceEvents, long expectedEvents, long targetStreams, List<String> mismatches) {
    public Verification {
        mismatches = List.copyOf(mismatches);
    }

    public boolean ok() {
        return mismatches.isEmpty();
    }
}
