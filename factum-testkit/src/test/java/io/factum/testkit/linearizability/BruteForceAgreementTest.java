package io.factum.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The checker's pruning (the memo, forced moves, the passes, the rules for appends of unknown outcome) must never
 * change a verdict. This compares it, on thousands of tiny histories, with a search that has none of it: every order
 * of every subset of the unknown operations, against a plain list.
 */
class BruteForceAgreementTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theCheckerAgreesWithExhaustiveSearchOnSmallHistories() {
        Random random = new Random(42);
        int[] verdicts = new int[2];
        for (int i = 0; i < 5_000; i++) {
            List<Operation> history = smallHistory(random);
            boolean expected = bruteForce(history, 0, List.of());
            CheckResult actual = LinearizabilityChecker.check(history, TIMEOUT);
            assertThat(actual)
                    .as("history %d:%s", i, describe(history))
                    .isInstanceOf(expected ? CheckResult.Linearizable.class : CheckResult.NotLinearizable.class);
            assertThat(LinearizabilityChecker.check(history, TIMEOUT, id -> 0L))
                    .as("history %d with every id hash colliding:%s", i, describe(history))
                    .isEqualTo(actual);
            verdicts[expected ? 1 : 0]++;
        }
        System.out.printf("%d linearizable, %d not%n", verdicts[1], verdicts[0]);
        // Both verdicts must be common, or the comparison would prove little.
        assertThat(verdicts[0]).isGreaterThan(500);
        assertThat(verdicts[1]).isGreaterThan(500);
    }

    /** A linearizable history of two to eight operations, with one output in two replaced by a random one. */
    private static List<Operation> smallHistory(Random random) {
        int size = 2 + random.nextInt(7);
        List<Operation> history = new ArrayList<>(RandomHistories.linearizable(
                random, new RandomHistories.Shape("s", 1 + random.nextInt(4), size, 0.35, 0.3, false)));
        if (random.nextBoolean()) {
            int victim = random.nextInt(history.size());
            Operation op = history.get(victim);
            if (op.outcomeKnown()) {
                history.set(
                        victim,
                        Operation.completed(
                                op.clientId(),
                                op.input(),
                                randomOutput(random, op, history),
                                op.callNanos(),
                                op.returnNanos()));
            }
        }
        return history;
    }

    private static Output randomOutput(Random random, Operation op, List<Operation> history) {
        if (op.input() instanceof Input.Append) {
            return random.nextBoolean()
                    ? new Output.AppendOk(random.nextInt(7) - 1)
                    : new Output.WrongExpectedVersion(
                            random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(random.nextInt(6) - 1));
        }
        List<UUID> all = new ArrayList<>();
        for (Operation other : history) {
            if (other.input() instanceof Input.Append append) {
                all.addAll(append.ids());
            }
        }
        Collections.shuffle(all, random);
        int size = all.isEmpty() ? 0 : random.nextInt(all.size() + 1);
        return size == 0 ? new Output.NotFound() : new Output.ReadOk(all.subList(0, size));
    }

    /**
     * Whether some order of the operations, with each operation of unknown outcome either in it or left out, respects
     * real time and the model. {@code placed} is a bitmask; no pruning of any kind.
     */
    private static boolean bruteForce(List<Operation> history, int placed, List<UUID> state) {
        boolean allKnownPlaced = true;
        for (int i = 0; i < history.size(); i++) {
            if ((placed & (1 << i)) == 0 && history.get(i).outcomeKnown()) {
                allKnownPlaced = false;
            }
        }
        if (allKnownPlaced) {
            return true;
        }
        for (int i = 0; i < history.size(); i++) {
            if ((placed & (1 << i)) != 0 || !mayGoNext(history, placed, i)) {
                continue;
            }
            int op = i;
            if (step(history.get(i), state)
                    .filter(next -> bruteForce(history, placed | (1 << op), next))
                    .isPresent()) {
                return true;
            }
        }
        return false;
    }

    /** Whether every operation that returned before this one was called is already placed. */
    private static boolean mayGoNext(List<Operation> history, int placed, int i) {
        for (int j = 0; j < history.size(); j++) {
            if ((placed & (1 << j)) == 0
                    && history.get(j).returnNanos() < history.get(i).callNanos()) {
                return false;
            }
        }
        return true;
    }

    /** The state after the operation, or empty when its output cannot follow {@code state}. */
    private static Optional<List<UUID>> step(Operation op, List<UUID> state) {
        long version = state.size() - 1;
        List<UUID> appended = new ArrayList<>(state);
        boolean fits =
                switch (op.input()) {
                    case Input.Append append -> {
                        boolean holds = append.expected().holdsAt(version);
                        if (holds) {
                            appended.addAll(append.ids());
                        }
                        yield switch (op.output()) {
                            case Output.AppendOk ok -> holds && ok.lastVersion() == appended.size() - 1;
                            case Output.WrongExpectedVersion wrong ->
                                !holds && wrong.actualVersion().orElse(version) == version;
                            case Output.Unknown unknown -> true;
                            default -> false;
                        };
                    }
                    case Input.Read read ->
                        switch (op.output()) {
                            case Output.ReadOk ok -> ok.ids().equals(state);
                            case Output.NotFound notFound -> state.isEmpty();
                            case Output.Unknown unknown -> true;
                            default -> false;
                        };
                };
        return fits ? Optional.of(List.copyOf(appended)) : Optional.empty();
    }

    private static String describe(List<Operation> history) {
        StringBuilder text = new StringBuilder();
        history.forEach(op -> text.append("\n  ").append(op.describe()));
        return text.toString();
    }
}
