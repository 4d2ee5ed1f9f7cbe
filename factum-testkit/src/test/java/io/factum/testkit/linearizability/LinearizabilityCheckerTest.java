package io.factum.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.testkit.linearizability.Operation.Expectation;
import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** Hand-written histories with a known verdict, each small enough to check by eye. */
class LinearizabilityCheckerTest {
    private static final String S = "order-1";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final UUID A = id(0xA);
    private static final UUID B = id(0xB);
    private static final UUID C = id(0xC);
    private static final UUID D = id(0xD);

    /** Readable ids: the first eight hex digits, which verdicts show, name the event. */
    private static UUID id(int n) {
        return new UUID((long) n << 32, n);
    }

    private static final Expectation ANY = new Expectation.Any();
    private static final Expectation NO_STREAM = new Expectation.NoStream();

    private static Expectation exact(long version) {
        return new Expectation.Exact(version);
    }

    private static Operation appendOk(int client, long call, long ret, Expectation e, long lastVersion, UUID... ids) {
        return Operation.completed(
                client, new Input.Append(S, e, List.of(ids)), new Output.AppendOk(lastVersion), call, ret);
    }

    private static Operation appendWrong(int client, long call, long ret, Expectation e, Output out, UUID... ids) {
        return Operation.completed(client, new Input.Append(S, e, List.of(ids)), out, call, ret);
    }

    private static Operation appendUnknown(int client, long call, Expectation e, UUID... ids) {
        return Operation.unknown(client, new Input.Append(S, e, List.of(ids)), call);
    }

    private static Operation read(int client, long call, long ret, UUID... ids) {
        Output output = ids.length == 0 ? new Output.NotFound() : new Output.ReadOk(List.of(ids));
        return Operation.completed(client, new Input.Read(S), output, call, ret);
    }

    private static CheckResult check(Operation... history) {
        return LinearizabilityChecker.check(List.of(history), TIMEOUT);
    }

    private static CheckResult.NotLinearizable assertViolation(CheckResult result) {
        assertThat(result).isInstanceOf(CheckResult.NotLinearizable.class);
        return (CheckResult.NotLinearizable) result;
    }

    @Test
    void aSequentialHistoryThatFollowsTheModelIsLinearizable() {
        assertThat(check(
                        read(1, 0, 1),
                        appendOk(1, 2, 3, NO_STREAM, 0, A),
                        appendOk(2, 4, 5, exact(0), 2, B, C),
                        appendWrong(1, 6, 7, NO_STREAM, Output.WrongExpectedVersion.actual(2), D),
                        appendWrong(2, 8, 9, exact(0), Output.WrongExpectedVersion.unreported(), D),
                        read(1, 10, 11, A, B, C),
                        appendOk(2, 12, 13, new Expectation.StreamExists(), 3, D),
                        read(2, 14, 15, A, B, C, D)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void anEmptyHistoryIsLinearizable() {
        assertThat(LinearizabilityChecker.check(List.of(), TIMEOUT)).isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void aSequentialAppendWithTheWrongVersionIsNot() {
        Operation wrong = appendOk(2, 4, 5, ANY, 5, B);
        CheckResult.NotLinearizable verdict =
                assertViolation(check(appendOk(1, 0, 1, NO_STREAM, 0, A), wrong, read(1, 6, 7, A, B)));
        assertThat(verdict.stream()).isEqualTo(S);
        assertThat(verdict.partialLinearization()).hasSize(1);
        assertThat(verdict.unplaceable()).containsExactly(wrong);
        assertThat(verdict.explanation())
                .contains(wrong.describe())
                .contains("appending 1 event at version 0 ends at version 1, not 5");
    }

    @Test
    void aWrongExpectedVersionMustReportTheActualVersionWhenItReportsOne() {
        assertViolation(check(
                appendOk(1, 0, 1, NO_STREAM, 1, A, B),
                appendWrong(2, 2, 3, exact(0), Output.WrongExpectedVersion.actual(0), C)));
        assertViolation(check(
                appendOk(1, 0, 1, NO_STREAM, 1, A, B),
                appendWrong(2, 2, 3, exact(1), Output.WrongExpectedVersion.unreported(), C)));
    }

    @Test
    void aSequentialReadOfTheWrongEventsIsNot() {
        assertViolation(check(appendOk(1, 0, 1, NO_STREAM, 1, A, B), read(2, 2, 3, B, A)));
        assertViolation(check(appendOk(1, 0, 1, NO_STREAM, 1, A, B), read(2, 2, 3)));
        assertViolation(check(read(2, 0, 1, A)));
    }

    @Test
    void ofConcurrentExactAppendsExactlyOneMayWin() {
        Operation first = appendOk(1, 0, 1, NO_STREAM, 0, A);
        Output conflict = Output.WrongExpectedVersion.actual(1);
        assertThat(check(
                        first,
                        appendWrong(1, 10, 20, exact(0), conflict, B),
                        appendOk(2, 11, 21, exact(0), 1, C),
                        appendWrong(3, 12, 22, exact(0), conflict, D),
                        read(1, 30, 31, A, C)))
                .isEqualTo(new CheckResult.Linearizable());
        assertViolation(check(first, appendOk(1, 10, 20, exact(0), 1, B), appendOk(2, 11, 21, exact(0), 1, C)));
        assertViolation(check(first, appendOk(1, 10, 20, exact(0), 1, B), appendOk(2, 11, 21, exact(0), 2, C)));
    }

    @Test
    void aReadThatSeesAnAppendNotYetCalledIsNot() {
        assertViolation(check(read(1, 0, 10, A), appendOk(2, 11, 20, NO_STREAM, 0, A)));
    }

    @Test
    void aReadConcurrentWithAnAppendMaySeeItOrNot() {
        assertThat(check(appendOk(2, 5, 20, NO_STREAM, 0, A), read(1, 0, 10, A), read(3, 0, 10)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void aReadThatMissesAnAppendWhichReturnedBeforeItWasCalledIsStale() {
        CheckResult.NotLinearizable verdict = assertViolation(
                check(appendOk(1, 0, 1, NO_STREAM, 0, A), appendOk(1, 2, 10, exact(0), 1, B), read(2, 11, 20, A)));
        assertThat(verdict.explanation())
                .contains("it misses the stream's last 1 event, from [0000000b] (a stale read)");
    }

    @Test
    void callsAndReturnsAtTheSameInstantCountAsConcurrent() {
        assertThat(check(appendOk(1, 0, 10, NO_STREAM, 0, A), read(2, 10, 20)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void anUnknownAppendThatTookEffectLaterIsLinearizable() {
        // It takes effect after B was acknowledged, and only the last read says so.
        assertThat(check(
                        appendUnknown(1, 0, ANY, A),
                        appendOk(2, 5, 10, ANY, 0, B),
                        read(3, 11, 12, B),
                        read(3, 20, 30, B, A),
                        appendOk(2, 40, 50, exact(1), 2, C)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void anUnknownAppendThatNeverTookEffectIsLinearizable() {
        assertThat(check(
                        appendUnknown(1, 0, ANY, A),
                        appendUnknown(3, 1, NO_STREAM, D),
                        appendOk(2, 5, 10, ANY, 0, B),
                        read(3, 11, 12, B),
                        appendOk(2, 20, 30, exact(0), 1, C),
                        read(3, 40, 50, B, C)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void anUnknownAppendThatWasNeverReadMayStillExplainAVersion() {
        // Only A taking effect between the two acknowledged appends explains C and D ending at version 3.
        Operation unknown = appendUnknown(1, 0, ANY, A);
        Operation first = appendOk(2, 5, 10, NO_STREAM, 0, B);
        Operation second = appendOk(2, 20, 30, ANY, 3, C, D);
        assertThat(check(unknown, first, second)).isEqualTo(new CheckResult.Linearizable());
        assertThat(check(unknown, first, second, read(3, 40, 50, B, A, C, D)))
                .isEqualTo(new CheckResult.Linearizable());
        assertViolation(check(unknown, first, second, read(3, 40, 50, B, C, D)));
    }

    @Test
    void unreadAppendsOfUnknownOutcomeAreCountedNotEnumerated() {
        // Thirty appends timed out and no read saw them; an acknowledged append then ends at version `last`, so
        // exactly `last` of them took effect. Which ones cannot matter, so the search must not try 2^30 subsets.
        List<Operation> history = new ArrayList<>();
        history.add(read(40, 0, 1));
        for (int i = 0; i < 30; i++) {
            history.add(appendUnknown(i, 2 + i, ANY, id(100 + i)));
        }
        List<Operation> seventeen = new ArrayList<>(history);
        seventeen.add(appendOk(41, 100, 110, ANY, 17, D));
        assertThat(LinearizabilityChecker.check(seventeen, TIMEOUT)).isEqualTo(new CheckResult.Linearizable());
        List<Operation> thirtyOne = new ArrayList<>(history);
        thirtyOne.add(appendOk(41, 100, 110, ANY, 31, D));
        assertViolation(LinearizabilityChecker.check(thirtyOne, TIMEOUT));
    }

    @Test
    void anUnknownAppendCannotTakeEffectBeforeItsCall() {
        assertViolation(check(read(1, 0, 10, A), appendUnknown(2, 11, ANY, A)));
    }

    @Test
    void anUnknownAppendTakesEffectOnlyIfItsExpectationHoldsThen() {
        // A read shows D, but D's append expected an empty stream and B was already there when it was called.
        assertViolation(
                check(appendOk(1, 0, 1, NO_STREAM, 0, B), appendUnknown(2, 5, NO_STREAM, D), read(3, 10, 20, B, D)));
    }

    @Test
    void readsThatSeeTwoAppendsInOppositeOrdersAreNot() {
        assertViolation(check(
                appendUnknown(1, 0, ANY, A),
                appendUnknown(2, 0, ANY, B),
                read(3, 10, 20, A, B),
                read(4, 10, 20, B, A)));
        assertViolation(check(
                appendOk(1, 0, 30, ANY, 0, A),
                appendOk(2, 0, 30, ANY, 1, B),
                read(3, 10, 20, A, B),
                read(4, 10, 20, B, A)));
    }

    @Test
    void anAcknowledgedVersionThatContradictsRealTimeOrderIsNot() {
        // B was called after A returned, so B cannot be the first event.
        assertViolation(check(appendOk(1, 0, 10, ANY, 0, A), appendOk(2, 20, 30, ANY, 0, B)));
        assertThat(check(appendOk(1, 0, 25, ANY, 1, A), appendOk(2, 20, 30, ANY, 0, B)))
                .isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void streamsAreCheckedIndependentlyAndTheFailingOneIsNamed() {
        Operation other = Operation.completed(
                1, new Input.Append("order-2", NO_STREAM, List.of(C)), new Output.AppendOk(0), 0, 10);
        Operation otherRead = Operation.completed(2, new Input.Read("order-2"), new Output.ReadOk(List.of(C)), 11, 12);
        assertThat(check(appendOk(1, 0, 10, NO_STREAM, 0, A), other, otherRead, read(2, 11, 12, A)))
                .isEqualTo(new CheckResult.Linearizable());
        CheckResult.NotLinearizable verdict =
                assertViolation(check(appendOk(1, 0, 10, NO_STREAM, 0, A), other, otherRead, read(2, 11, 12)));
        assertThat(verdict.stream()).isEqualTo(S);
    }

    @Test
    void verdictsAreTheSameWhenEveryIdHashCollides() {
        ToLongFunction<UUID> collide = id -> 0L;
        List<Operation> opposite = List.of(
                appendUnknown(1, 0, ANY, A), appendUnknown(2, 0, ANY, B), read(3, 10, 20, A, B), read(4, 10, 20, B, A));
        List<Operation> swapped = List.of(appendOk(1, 0, 1, NO_STREAM, 1, A, B), read(2, 2, 3, B, A));
        List<Operation> fine = List.of(
                appendUnknown(1, 0, ANY, A), appendUnknown(2, 0, ANY, B), read(3, 10, 20, B, A), read(4, 21, 30, B, A));
        assertThat(LinearizabilityChecker.check(opposite, TIMEOUT, collide))
                .isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(LinearizabilityChecker.check(swapped, TIMEOUT, collide))
                .isInstanceOf(CheckResult.NotLinearizable.class);
        assertThat(LinearizabilityChecker.check(fine, TIMEOUT, collide)).isEqualTo(new CheckResult.Linearizable());
    }

    @Test
    void aSearchThatRunsOutOfTimeSaysSo() {
        // Fourteen concurrent appends of unknown outcome and a read that no order of them can produce: the search
        // must try every ordered subset, about 2e11 of them, before it may say no.
        List<Operation> history = new ArrayList<>();
        List<UUID> seen = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            history.add(appendUnknown(i, 0, ANY, id(i + 1)));
            seen.add(id(i + 1));
        }
        seen.add(id(99));
        history.add(read(20, 0, 10, seen.toArray(UUID[]::new)));
        CheckResult result = LinearizabilityChecker.check(history, Duration.ofMillis(200));
        assertThat(result).isInstanceOf(CheckResult.Unknown.class);
        assertThat(((CheckResult.Unknown) result).reason()).contains("stream 'order-1'", "1 of 1 completed");
    }

    @Test
    void anEventIdAppendedTwiceIsRefused() {
        assertThatThrownBy(() -> check(appendUnknown(1, 0, ANY, A), appendOk(1, 10, 20, ANY, 0, A)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("event id " + A + " is appended twice to stream 'order-1'");
    }

    @Test
    void malformedOperationsAreRefusedWhenRecorded() {
        Input.Append append = new Input.Append(S, ANY, List.of(A));
        assertThatThrownBy(() -> Operation.completed(1, append, new Output.Unknown(), 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returnNanos must be Long.MAX_VALUE exactly when the output is Unknown");
        assertThatThrownBy(() -> Operation.completed(1, append, new Output.NotFound(), 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot answer input");
        assertThatThrownBy(() -> Operation.completed(1, new Input.Read(S), new Output.AppendOk(0), 10, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("returnNanos 5 is before callNanos 10");
        assertThatThrownBy(() -> new Output.ReadOk(List.of())).hasMessageContaining("NotFound");
    }
}
