package io.factum.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code factum verify} found: every frame's checksum and structure, the position sequence,
 * and every index file against the log.
 *
 * @param dataDir the directory checked
 * @param segmentsChecked log segment files read
 * @param framesChecked frames whose checksum was verified
 * @param recordsChecked records decoded
 * @param indexEntriesChecked index entries compared with the log
 * @param problems every damaged place found, in file order; empty when the store is sound
 */
public record VerifyReport(
        Path dataDir,
        int segmentsChecked,
        long framesChecked,
        long recordsChecked,
        long indexEntriesChecked,
        List<Problem> problems) {

    public VerifyReport {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    /** One damaged place: the file, the byte offset, and what is wrong there. */
    public record Problem(Path file, long offset, String description) {}
}
