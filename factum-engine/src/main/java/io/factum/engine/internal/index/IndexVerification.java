package io.factum.engine.internal.index;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link StreamIndex#verify} found in a closed index.
 *
 * @param indexedUpTo the manifest's checkpoint, -1 when there is no manifest (or it is unreadable)
 * @param filesChecked index files examined
 * @param entriesChecked index entries whose block checksum held and that were compared with the log
 * @param problems every damaged or inconsistent place, in file order; empty when the index is sound
 */
public record IndexVerification(long indexedUpTo, int filesChecked, long entriesChecked, List<Problem> problems) {

    public IndexVerification {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** One damaged place: the file, the byte offset in it, and what is wrong there. */
    public record Problem(Path file, long offset, String description) {}
}
