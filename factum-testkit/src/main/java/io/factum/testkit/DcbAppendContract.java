package io.factum.testkit;

import static io.factum.testkit.TckSupport.event;
import static io.factum.testkit.TckSupport.ids;
import static io.factum.testkit.TckSupport.positions;
import static io.factum.testkit.TckSupport.readAllForwards;
import static io.factum.testkit.TckSupport.readStreamForwards;
import static io.factum.testkit.TckSupport.tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.QueryReadResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.WrongExpectedVersionException;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The TCK's cases for conditional appends (dynamic consistency boundaries): the condition "fail if
 * an event matching Q was stored after P" is checked after the stream expectations and atomically
 * with the write, fails with {@link AppendConditionFailedException} naming the first conflicting
 * position and writing nothing, and leaves idempotent retries as they are for stream appends.
 * {@link EventStoreContractTest} runs them as a nested class on its store.
 */
public abstract class DcbAppendContract {

    /** The store under test, fresh and empty for each test. */
    protected abstract EventStore store();

    private static final Query COURSE_C1 = Query.tagged("course:c1");
    private static final Query ENROLMENTS_C1 = Query.of(List.of("StudentEnrolled"), List.of("course:c1"));

    // ---- helpers ----

    private long append(String stream, EventData... events) {
        return store().append(stream, ExpectedVersion.any(), List.of(events)).position();
    }

    private List<AppendResult> appendIf(AppendCondition condition, StreamAppend... parts) {
        return store().appendMulti(List.of(parts), Optional.of(condition));
    }

    private static StreamAppend part(String stream, ExpectedVersion expected, EventData... events) {
        return new StreamAppend(stream, expected, List.of(events));
    }

    private static EventData enrolment(String student) {
        return tagged("StudentEnrolled", "course:c1", "student:" + student);
    }

    /** The call fails on its condition at {@code position}, naming the condition, and writes nothing. */
    private void assertConditionFails(ThrowingCallable call, AppendCondition condition, long position) {
        long head = store().headPosition();
        assertThatThrownBy(call).isInstanceOfSatisfying(AppendConditionFailedException.class, e -> {
            assertThat(e.conflictingPosition()).as("conflictingPosition").isEqualTo(position);
            assertThat(e.condition()).as("condition").isEqualTo(condition);
        });
        assertThat(store().headPosition())
                .as("head position after a failed condition")
                .isEqualTo(head);
    }

    /**
     * 0 CourseDefined course:c1, 1 Noted (no tags), 2 StudentEnrolled course:c1 student:s1, 3 Noted,
     * 4 StudentEnrolled course:c2 student:s1.
     */
    private void writeHistory() {
        append("course-c1", tagged("CourseDefined", "course:c1"));
        append("notes", event("Noted"));
        append("student-s1", enrolment("s1"));
        append("notes", event("Noted"));
        append("student-s1", tagged("StudentEnrolled", "course:c2", "student:s1"));
    }

    // ---- the condition ----

    @Test
    void passesWhenNothingMatchesAfterItsPosition() {
        writeHistory();

        AppendResult atHead = appendIf(
                        AppendCondition.noneMatchingAfter(COURSE_C1, 4),
                        part("student-s2", ExpectedVersion.noStream(), enrolment("s2")))
                .getFirst();
        AppendResult atLastMatch = appendIf(
                        AppendCondition.noneMatchingAfter(ENROLMENTS_C1, 5),
                        part("student-s3", ExpectedVersion.noStream(), enrolment("s3")))
                .getFirst();
        AppendResult noneAtAll = appendIf(
                        AppendCondition.noneMatching(Query.tagged("course:c3")),
                        part("course-c3", ExpectedVersion.noStream(), tagged("CourseDefined", "course:c3")))
                .getFirst();
        AppendResult beyondHead = appendIf(
                        AppendCondition.noneMatchingAfter(COURSE_C1, 1_000),
                        part("student-s4", ExpectedVersion.any(), enrolment("s4")))
                .getFirst();

        assertThat(List.of(atHead, atLastMatch, noneAtAll, beyondHead))
                .containsExactly(
                        new AppendResult(0, 5, true),
                        new AppendResult(0, 6, true),
                        new AppendResult(0, 7, true),
                        new AppendResult(0, 8, true));
        assertThat(store().readByQuery(Query.tagged("student:s4"), 0, Direction.FORWARDS, 10)
                        .events())
                .singleElement()
                .satisfies(e -> assertThat(e.tags()).containsExactly("course:c1", "student:s4"));
    }

    @Test
    void failsNamingTheFirstConflictingPositionAndWritesNothing() {
        writeHistory();
        append("student-s2", enrolment("s2")); // 5

        AppendCondition afterOne = AppendCondition.noneMatchingAfter(COURSE_C1, 1);
        AppendCondition afterTwo = AppendCondition.noneMatchingAfter(ENROLMENTS_C1, 2);
        AppendCondition none = AppendCondition.noneMatching(COURSE_C1);

        assertConditionFails(() -> appendIf(afterOne, part("x", ExpectedVersion.any(), event("E"))), afterOne, 2);
        assertConditionFails(() -> appendIf(afterTwo, part("x", ExpectedVersion.any(), event("E"))), afterTwo, 5);
        assertConditionFails(() -> appendIf(none, part("x", ExpectedVersion.any(), event("E"))), none, 0);
        assertThatThrownBy(() -> appendIf(afterOne, part("x", ExpectedVersion.any(), event("E"))))
                .hasMessageContaining("position 2")
                .hasMessageContaining("course:c1");
        assertThat(readStreamForwards(store(), "x")).isEmpty();
    }

    @Test
    void onlyMatchingEventsBreakTheCondition() {
        writeHistory();
        append("course-c1", tagged("CourseDefined", "course:c10")); // 5: another tag
        append("course-c1", tagged("CourseRenamed", "course:c1")); // 6: another type
        append("student-s9", tagged("StudentEnrolled", "student:s9")); // 7: without the course

        AppendResult result = appendIf(
                        AppendCondition.noneMatchingAfter(ENROLMENTS_C1, 2),
                        part("student-s2", ExpectedVersion.noStream(), enrolment("s2")))
                .getFirst();

        assertThat(result).isEqualTo(new AppendResult(0, 8, true));
    }

    @Test
    void aConditionMatchesByAnyOfItsItems() {
        writeHistory();
        AppendCondition condition =
                AppendCondition.noneMatchingAfter(Query.of(QueryItem.tagged("course:c9"), QueryItem.types("Noted")), 1);

        assertConditionFails(() -> appendIf(condition, part("x", ExpectedVersion.any(), event("E"))), condition, 3);
    }

    @Test
    void aMultiStreamConditionalAppendIsAtomic() {
        writeHistory();
        AppendCondition current = AppendCondition.noneMatchingAfter(COURSE_C1, 4);

        List<AppendResult> results = appendIf(
                current,
                part("student-s2", ExpectedVersion.noStream(), enrolment("s2")),
                part("course-c1", ExpectedVersion.exactly(0), tagged("SeatTaken", "course:c1"), event("Noted")));
        AppendCondition stale = AppendCondition.noneMatchingAfter(COURSE_C1, 4);

        assertThat(results).containsExactly(new AppendResult(0, 5, true), new AppendResult(2, 7, true));
        assertConditionFails(
                () -> appendIf(
                        stale,
                        part("student-s3", ExpectedVersion.noStream(), enrolment("s3")),
                        part("course-c1", ExpectedVersion.any(), event("Noted"))),
                stale,
                5);
        assertThat(readStreamForwards(store(), "student-s3")).isEmpty();
        assertThat(readStreamForwards(store(), "course-c1")).hasSize(3);
    }

    @Test
    void aWrongExpectedVersionIsReportedBeforeAFailingCondition() {
        writeHistory();
        AppendCondition failing = AppendCondition.noneMatching(COURSE_C1);

        assertThatThrownBy(() -> appendIf(
                        failing,
                        part("notes", ExpectedVersion.any(), event("Noted")),
                        part("student-s1", ExpectedVersion.noStream(), enrolment("s1"))))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo("student-s1");
                    assertThat(e.actualVersion()).isEqualTo(1);
                });
        assertThat(store().headPosition()).isEqualTo(4);
    }

    @Test
    void theConditionIsAboutEarlierEventsNotTheAppendsOwn() {
        AppendCondition condition = AppendCondition.noneMatching(COURSE_C1);

        List<AppendResult> results = appendIf(
                condition,
                part("course-c1", ExpectedVersion.noStream(), tagged("CourseDefined", "course:c1")),
                part("student-s1", ExpectedVersion.noStream(), enrolment("s1")));

        assertThat(results).containsExactly(new AppendResult(0, 0, true), new AppendResult(0, 1, true));
        assertConditionFails(
                () -> appendIf(condition, part("course-c1", ExpectedVersion.any(), event("Noted"))), condition, 0);
    }

    @Test
    void anEmptyConditionalAppendChecksTheConditionAndWritesNothing() {
        writeHistory();
        AppendCondition failing = AppendCondition.noneMatchingAfter(COURSE_C1, 1);
        AppendCondition holding = AppendCondition.noneMatchingAfter(COURSE_C1, 2);

        assertConditionFails(() -> appendIf(failing, part("notes", ExpectedVersion.exactly(1))), failing, 2);
        assertThat(appendIf(holding, part("notes", ExpectedVersion.exactly(1))))
                .containsExactly(new AppendResult(1, 4, false));
    }

    // ---- idempotent retries ----

    @Test
    void aRetryOfAStoredConditionalAppendSucceedsWithoutWritingThoughItsOwnEventsNowMatch() {
        writeHistory();
        AppendCondition condition = AppendCondition.noneMatchingAfter(ENROLMENTS_C1, 4);
        StreamAppend enrol = part("student-s2", ExpectedVersion.noStream(), enrolment("s2"));
        StreamAppend seat = part("course-c1", ExpectedVersion.exactly(0), tagged("SeatTaken", "course:c1"));

        List<AppendResult> first = appendIf(condition, enrol, seat);
        List<AppendResult> retry = appendIf(condition, enrol, seat);
        List<AppendResult> retryOfOne = appendIf(condition, enrol);

        assertThat(first).containsExactly(new AppendResult(0, 5, true), new AppendResult(1, 6, true));
        assertThat(retry).containsExactly(new AppendResult(0, 5, false), new AppendResult(1, 6, false));
        assertThat(retryOfOne).containsExactly(new AppendResult(0, 5, false));
        assertThat(store().headPosition()).isEqualTo(6);
    }

    @Test
    void aRetryWithAnyOfAStoredConditionalAppendSucceedsWithoutWriting() {
        AppendCondition condition = AppendCondition.noneMatching(Query.tagged("username:alice"));
        StreamAppend register =
                part("user-1", ExpectedVersion.any(), tagged("UserRegistered", "username:alice"), event("Welcomed"));

        assertThat(appendIf(condition, register)).containsExactly(new AppendResult(1, 1, true));
        assertThat(appendIf(condition, register)).containsExactly(new AppendResult(1, 1, false));
        assertThat(store().headPosition()).isEqualTo(1);
    }

    @Test
    void anAppendThatWritesSomethingBesidesARetriedPartChecksTheCondition() {
        AppendCondition condition = AppendCondition.noneMatching(COURSE_C1);
        StreamAppend define = part("course-c1", ExpectedVersion.noStream(), tagged("CourseDefined", "course:c1"));
        appendIf(condition, define);

        assertConditionFails(
                () -> appendIf(condition, define, part("notes", ExpectedVersion.any(), event("Noted"))), condition, 0);
        assertThat(readStreamForwards(store(), "notes")).isEmpty();
    }

    // ---- deciders racing ----

    /**
     * Eight deciders race to enrol their student in a course of three seats: each reads the
     * course's enrolments, and enrols when a seat is left, on condition that no enrolment arrived
     * since its read; a loser reads again and decides again. Exactly three win.
     */
    @Test
    void decidersRacingForSeatsFillTheCourseExactly() throws Exception {
        int seats = 3;
        int deciders = 8;
        List<Boolean> enrolled = TckSupport.runConcurrently(deciders, worker -> {
            while (!Thread.currentThread().isInterrupted()) {
                QueryReadResult read = store().readByQuery(ENROLMENTS_C1, 0, Direction.FORWARDS, 100);
                if (read.events().size() >= seats) {
                    return false;
                }
                AppendCondition condition = AppendCondition.noneMatchingAfter(ENROLMENTS_C1, read.headPosition());
                try {
                    appendIf(condition, part("student-" + worker, ExpectedVersion.noStream(), enrolment("s" + worker)));
                    return true;
                } catch (AppendConditionFailedException lost) {
                    assertThat(lost.conflictingPosition()).isGreaterThan(read.headPosition());
                }
            }
            return false;
        });

        List<RecordedEvent> enrolments =
                store().readByQuery(ENROLMENTS_C1, 0, Direction.FORWARDS, 100).events();
        assertThat(enrolled).filteredOn(won -> won).hasSize(seats);
        assertThat(enrolments).hasSize(seats);
        assertThat(enrolments)
                .extracting(RecordedEvent::stream)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, deciders)
                        .filter(enrolled::get)
                        .mapToObj(i -> "student-" + i)
                        .toList());
    }

    /** Eight users race to register one name on condition that nobody has it: exactly one wins. */
    @Test
    void aUniqueUsernameIsTakenByExactlyOneOfManyRacers() throws Exception {
        Query alice = Query.tagged("username:alice");
        AppendCondition nobodyHasIt = AppendCondition.noneMatching(alice);
        List<Long> outcomes = TckSupport.runConcurrently(8, worker -> {
            try {
                return appendIf(
                                nobodyHasIt,
                                part(
                                        "user-" + worker,
                                        ExpectedVersion.noStream(),
                                        tagged("UserRegistered", "username:alice", "user:" + worker)))
                        .getFirst()
                        .position();
            } catch (AppendConditionFailedException lost) {
                return -1 - lost.conflictingPosition();
            }
        });

        List<Long> won = outcomes.stream().filter(p -> p >= 0).toList();
        List<RecordedEvent> registered =
                store().readByQuery(alice, 0, Direction.FORWARDS, 100).events();
        assertThat(won).hasSize(1);
        assertThat(positions(registered)).isEqualTo(won);
        assertThat(outcomes.stream().filter(p -> p < 0).map(p -> -1 - p))
                .as("every loser names the winner's event")
                .hasSize(7)
                .containsOnly(won.getFirst());
        assertThat(ids(readAllForwards(store()))).isEqualTo(ids(registered));
    }
}
