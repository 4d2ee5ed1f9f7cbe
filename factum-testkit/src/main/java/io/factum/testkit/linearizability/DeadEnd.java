package io.factum.testkit.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where a failed search got deepest: the evidence behind a {@link CheckResult.NotLinearizable} verdict, and its
 * explanation in words.
 *
 * @param prefix the longest sequence of operations the search could linearize
 * @param state the stream after that sequence
 * @param candidates the operations that could have come next, in call order
 * @param blocker the operation whose return ended the candidates: it had to be placed by then and was not
 */
record DeadEnd(List<Operation> prefix, StreamState state, List<Candidate> candidates, Optional<Operation> blocker) {

    /** How many operations of unknown outcome an explanation lists; the rest are counted. */
    private static final int UNKNOWN_SHOWN = 3;

    /**
     * One operation that could have come next.
     *
     * @param waitsForReads an append of unknown outcome that no read returned, while reads were still unplaced
     * @param waitsForTwin an interchangeable append called no later was still unplaced
     */
    record Candidate(StreamModel.Step step, boolean waitsForReads, boolean waitsForTwin) {
        Operation operation() {
            return step.operation();
        }

        /** Why it was not the next operation, in words; fitting ones were tried and led nowhere. */
        String reason(StreamState state) {
            if (step.apply(state).isEmpty()) {
                return step.refusal(state);
            } else if (waitsForReads) {
                return "no read returned its events, so it can only take effect after the last read";
            } else if (waitsForTwin) {
                return "an append with the same effect, called no later, was tried in its place";
            }
            return "fits, but every continuation from there failed";
        }

        /** Operations of unknown outcome that fit say more than ones whose expectation fails. */
        boolean fits(StreamState state) {
            return step.apply(state).isPresent();
        }
    }

    List<Operation> unplaceable() {
        return candidates.stream().map(Candidate::operation).toList();
    }

    String explain(String stream, int operations, int unknownOperations) {
        StringBuilder text = new StringBuilder();
        text.append("stream '").append(stream).append("' is not linearizable (").append(operations);
        text.append(" operations, ").append(unknownOperations).append(" of unknown outcome).\n");
        text.append("The longest linearization found places ").append(prefix.size());
        text.append(" operations and leaves the stream at version ")
                .append(state.lastVersion())
                .append(' ');
        text.append(Operation.shortIds(state.ids())).append(prefix.isEmpty() ? ".\n" : ". Its last operations:\n");
        for (Operation op : prefix.subList(Math.max(0, prefix.size() - 5), prefix.size())) {
            text.append("  ").append(op.describe()).append('\n');
        }
        text.append(blocker.map(op -> "Next, " + op.describe() + " had to be placed before it returned, but neither"
                        + " it nor any operation called by then fits:\n")
                .orElse("None of the operations that could come next fits:\n"));
        List<Candidate> unknown = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (candidate.operation().outcomeKnown()) {
                text.append("  ").append(line(candidate));
            } else {
                unknown.add(candidate);
            }
        }
        unknown.sort(Comparator.comparing((Candidate c) -> !c.fits(state)));
        unknown.stream().limit(UNKNOWN_SHOWN).forEach(c -> text.append("  ").append(line(c)));
        if (unknown.size() > UNKNOWN_SHOWN) {
            text.append("  and ").append(unknown.size() - UNKNOWN_SHOWN);
            text.append(" more appends of unknown outcome\n");
        }
        return text.toString();
    }

    private String line(Candidate candidate) {
        return candidate.operation().describe() + ": " + candidate.reason(state) + "\n";
    }
}
