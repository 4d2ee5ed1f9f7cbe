package io.factum.testkit.linearizability;

import java.util.List;

/** The verdict of {@link LinearizabilityChecker#check}. */
public sealed interface CheckResult {

    /** Every stream's sub-history has a linearization. */
    record Linearizable() implements CheckResult {}

    /**
     * One stream's sub-history has no linearization. The search's deepest attempt is kept as evidence: the longest
     * sequence of operations it could linearize, and the operations of which none could come next.
     *
     * @param stream the stream, the first in name order if several were found to fail
     * @param partialLinearization the longest linearizable sequence found, in linearization order
     * @param unplaceable the operations that could have come next, none of which fits
     * @param explanation the above in words, with the reason each candidate was refused
     */
    record NotLinearizable(
            String stream, List<Operation> partialLinearization, List<Operation> unplaceable, String explanation)
            implements CheckResult {
        public NotLinearizable {
            partialLinearization = List.copyOf(partialLinearization);
            unplaceable = List.copyOf(unplaceable);
        }

        /** The explanation only: the partial linearization can hold thousands of operations. */
        @Override
        public String toString() {
            return "NotLinearizable: " + explanation;
        }
    }

    /** The search ran out of time before it could decide; {@code reason} says where it stopped. */
    record Unknown(String reason) implements CheckResult {}
}
