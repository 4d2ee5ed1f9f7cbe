package io.factum.engine.internal.log;

import io.factum.engine.VerifyReport;
import java.util.List;

/**
 * What {@link SegmentedLog#verify} found in a closed log directory.
 *
 * @param segmentsChecked segment files read
 * @param framesChecked frames whose CRC32C and structure were checked and found sound
 * @param recordsChecked records in those frames
 * @param problems every damaged place (file, byte offset, what is wrong), in file order
 */
public record LogVerification(
        int segmentsChecked, long framesChecked, long recordsChecked, List<VerifyReport.Problem> problems) {

    public LogVerification {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
