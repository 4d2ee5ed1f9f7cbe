package io.factum.testkit;

import static io.factum.testkit.TckSupport.AWAIT;
import static io.factum.testkit.TckSupport.event;
import static io.factum.testkit.TckSupport.positions;
import static io.factum.testkit.TckSupport.readAllForwards;
import static io.factum.testkit.TckSupport.tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendCondition;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.TagLimits;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TCK's cases for tags, queries, reads by query and subscriptions by query (dynamic consistency
 * boundaries). {@link EventStoreContractTest} runs them as a nested class on its store, so every
 * backend passes them; the rule they pin down is that a read or subscription by query sees what
 * {@code $all} sees, restricted to the matching events.
 */
public abstract class DcbQueryContract {

    /** The store under test, fresh and empty for each test. */
    protected abstract EventStore store();

    private final List<Subscription> opened = new ArrayList<>();

    @AfterEach
    void closeSubscriptions() {
        opened.forEach(Subscription::close);
    }

    // ---- helpers ----

    private long append(String stream, EventData... events) {
        return store().append(stream, ExpectedVersion.any(), List.of(events)).position();
    }

    private QueryReadResult read(Query query, long from, Direction direction, int maxCount) {
        return store().readByQuery(query, from, direction, maxCount);
    }

    private List<RecordedEvent> readForwards(Query query) {
        return read(query, 0, Direction.FORWARDS, store().limits().maxReadCount())
                .events();
    }

    /** The records of {@code $all} that match, in position order: what a read by query must return. */
    private List<RecordedEvent> allMatching(Query query) {
        return readAllForwards(store()).stream().filter(query::matches).toList();
    }

    private void assertInvalid(ThrowingCallable call, String field) {
        long head = store().headPosition();
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field())
                .isEqualTo(field));
        assertThat(store().headPosition())
                .as("head position after invalid input")
                .isEqualTo(head);
    }

    private RecordingListener subscribe(Query query, SubscribeFrom from) {
        RecordingListener listener = new RecordingListener();
        opened.add(store().subscribeToQuery(query, from, listener));
        return listener;
    }

    /**
     * A small course-enrolment history: position, type, tags.
     *
     * <pre>
     * 0 CourseDefined   course:c1
     * 1 StudentEnrolled course:c1 student:s1
     * 2 CourseDefined   course:c10
     * 3 StudentEnrolled course:c10 student:s1
     * 4 StudentEnrolled course:c1 student:s2
     * 5 Renamed         (no tags)
     * 6 StudentLeft     course:c1 student:s1
     * 7 CourseDefined   course:c2 featured
     * </pre>
     */
    private void writeCourses() {
        append("course-c1", tagged("CourseDefined", "course:c1"));
        append("student-s1", tagged("StudentEnrolled", "course:c1", "student:s1"));
        append("course-c10", tagged("CourseDefined", "course:c10"));
        append("student-s1", tagged("StudentEnrolled", "course:c10", "student:s1"));
        append("student-s2", tagged("StudentEnrolled", "course:c1", "student:s2"));
        append("course-c1", event("Renamed"));
        append("student-s1", tagged("StudentLeft", "course:c1", "student:s1"));
        append("course-c2", tagged("CourseDefined", "course:c2", "featured"));
    }

    private List<Long> matchingPositions(Query query) {
        return positions(readForwards(query));
    }

    // ---- tags ----

    @Test
    void tagsRoundTripInOrderOnStreamAllAndQueryReads() {
        EventData withTags = tagged("StudentEnrolled", "student:s1", "course:c1", "term:2026");
        EventData without = event("Noted");
        store().append("s", ExpectedVersion.noStream(), List.of(withTags, without));

        List<String> expected = List.of("student:s1", "course:c1", "term:2026");
        List<RecordedEvent> stream = TckSupport.readStreamForwards(store(), "s");
        List<RecordedEvent> all = readAllForwards(store());
        List<RecordedEvent> byQuery = readForwards(Query.tagged("course:c1"));
        List<RecordedEvent> backwards = store().readAll(ReadAllOptions.backwards(ReadAllOptions.END, 10))
                .events();

        assertThat(stream).extracting(RecordedEvent::tags).containsExactly(expected, List.of());
        assertThat(all).extracting(RecordedEvent::tags).containsExactly(expected, List.of());
        assertThat(backwards).extracting(RecordedEvent::tags).containsExactly(List.of(), expected);
        assertThat(byQuery).containsExactly(stream.getFirst());
    }

    @Test
    void tagsAtTheLimitsAreAccepted() {
        TagLimits limits = store().limits().tags();
        List<String> most = IntStream.range(0, limits.maxTagsPerEvent())
                .mapToObj(i -> i + ":"
                        + "t"
                                .repeat(limits.maxTagBytes()
                                        - 3
                                        - String.valueOf(i).length()) + "é")
                .toList();
        assertThat(most).allSatisfy(tag -> assertThat(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .hasSize(limits.maxTagBytes()));
        store().append("s", ExpectedVersion.any(), List.of(event("Big").withTags(most)));

        assertThat(readForwards(Query.tagged(most.getLast()))).singleElement().satisfies(e -> assertThat(e.tags())
                .isEqualTo(most));
    }

    @Test
    void tagsOverTheLimitsOrMalformedAreRefusedNamingTheTagAndNothingIsWritten() {
        TagLimits limits = store().limits().tags();
        List<String> tooMany = IntStream.rangeClosed(0, limits.maxTagsPerEvent())
                .mapToObj(i -> "t" + i)
                .toList();
        String tooLong = "x".repeat(limits.maxTagBytes() + 1);
        EventData fine = tagged("Fine", "ok");

        assertInvalid(
                () -> store().append(
                                "s",
                                ExpectedVersion.any(),
                                List.of(fine, event("E").withTags(tooMany))),
                "events[1].tags");
        assertInvalid(
                () -> store().append(
                                "s", ExpectedVersion.any(), List.of(event("E").withTags("ok", tooLong))),
                "events[0].tags[1]");
        assertInvalid(() -> store().append("s", ExpectedVersion.any(), List.of(tagged("E", ""))), "events[0].tags[0]");
        assertInvalid(
                () -> store().append("s", ExpectedVersion.any(), List.of(tagged("E", "line\nbreak"))),
                "events[0].tags[0]");
        assertInvalid(
                () -> store().append("s", ExpectedVersion.any(), List.of(tagged("E", "twice", "twice"))),
                "events[0].tags[1]");
        assertInvalid(
                () -> store().appendMulti(
                                List.of(
                                        new StreamAppend("a", ExpectedVersion.any(), List.of(fine)),
                                        new StreamAppend("b", ExpectedVersion.any(), List.of(tagged("E", tooLong)))),
                                Optional.of(AppendCondition.noneMatching(Query.tagged("ok")))),
                "events[0].tags[0]");
        assertThat(store().headPosition()).isEqualTo(-1);
    }

    // ---- queries ----

    @Test
    void anEmptyQueryOrAnItemThatNamesNothingIsRefused() {
        assertThatThrownBy(() -> new Query(List.of()))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query"));
        assertThatThrownBy(() -> new QueryItem(List.of(), List.of()))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("query item"));
    }

    @Test
    void queriesOverTheLimitsOrWithInvalidTermsAreRefusedByEveryOperation() {
        append("s", tagged("E", "t"));
        TagLimits limits = store().limits().tags();
        Query tooManyItems = new Query(Collections.nCopies(limits.maxQueryItems() + 1, QueryItem.tagged("t")));
        Query tooManyTerms = Query.tagged(IntStream.rangeClosed(0, limits.maxItemTerms())
                .mapToObj(i -> "t" + i)
                .toArray(String[]::new));
        Query badTag = Query.of(QueryItem.types("E"), QueryItem.tagged("ok", "bad\u0000tag"));
        Query longType = Query.of(QueryItem.types("x".repeat(store().limits().maxEventTypeBytes() + 1)));

        assertInvalid(() -> read(tooManyItems, 0, Direction.FORWARDS, 10), "query");
        assertInvalid(() -> read(tooManyTerms, 0, Direction.FORWARDS, 10), "query.items[0]");
        assertInvalid(() -> read(badTag, 0, Direction.FORWARDS, 10), "query.items[1].tags[1]");
        assertInvalid(() -> read(longType, 0, Direction.FORWARDS, 10), "query.items[0].types[0]");
        assertInvalid(() -> subscribe(badTag, SubscribeFrom.start()), "query.items[1].tags[1]");
        assertInvalid(
                () -> store().appendMulti(
                                List.of(new StreamAppend("s", ExpectedVersion.any(), List.of(event("E")))),
                                Optional.of(AppendCondition.noneMatching(badTag))),
                "condition.failIfEventsMatch.items[1].tags[1]");
        assertThat(opened).isEmpty();
    }

    @Test
    void readCountAndPositionOutOfRangeAreRefused() {
        Query query = Query.tagged("t");
        int max = store().limits().maxReadCount();
        assertInvalid(() -> read(query, 0, Direction.FORWARDS, 0), "maxCount");
        assertInvalid(() -> read(query, 0, Direction.BACKWARDS, max + 1), "maxCount");
        assertInvalid(() -> read(query, -1, Direction.FORWARDS, 10), "fromPosition");
    }

    @Test
    void anItemMatchesAnyOfItsTypesAndAllOfItsTagsExactly() {
        writeCourses();

        assertThat(matchingPositions(Query.tagged("course:c1"))).containsExactly(0L, 1L, 4L, 6L);
        assertThat(matchingPositions(Query.tagged("course:c1", "student:s1"))).containsExactly(1L, 6L);
        assertThat(matchingPositions(Query.of(List.of("StudentEnrolled"), List.of("student:s1"))))
                .containsExactly(1L, 3L);
        assertThat(matchingPositions(Query.of(List.of("StudentEnrolled", "StudentLeft"), List.of("course:c1"))))
                .containsExactly(1L, 4L, 6L);
        assertThat(matchingPositions(Query.of(QueryItem.types("CourseDefined", "Renamed"))))
                .containsExactly(0L, 2L, 5L, 7L);
        assertThat(matchingPositions(Query.tagged("course:c")))
                .as("no prefix match")
                .isEmpty();
        assertThat(matchingPositions(Query.tagged("Course:c1")))
                .as("case matters")
                .isEmpty();
        assertThat(matchingPositions(Query.of(List.of("Renamed"), List.of("course:c1"))))
                .isEmpty();
    }

    @Test
    void aQueryMatchesAnEventMatchingAnyItemAndReturnsItOnce() {
        writeCourses();

        Query either = Query.of(QueryItem.types("StudentLeft"), QueryItem.tagged("course:c10"));
        Query overlapping = Query.of(QueryItem.tagged("student:s1"), QueryItem.tagged("course:c1"));

        assertThat(matchingPositions(either)).containsExactly(2L, 3L, 6L);
        assertThat(matchingPositions(overlapping)).containsExactly(0L, 1L, 3L, 4L, 6L);
        assertThat(positions(read(overlapping, ReadAllOptions.END, Direction.BACKWARDS, 100)
                        .events()))
                .containsExactly(6L, 4L, 3L, 1L, 0L);
        assertThat(matchingPositions(Query.tagged("course:c2").or(Query.tagged("featured"))))
                .containsExactly(7L);
    }

    // ---- reads ----

    @Test
    void anEmptyStoreHasNoMatchesAndHeadMinusOne() {
        assertThat(read(Query.tagged("t"), 0, Direction.FORWARDS, 10)).isEqualTo(new QueryReadResult(List.of(), -1));
        assertThat(read(Query.tagged("t"), ReadAllOptions.END, Direction.BACKWARDS, 10))
                .isEqualTo(new QueryReadResult(List.of(), -1));
    }

    @Test
    void aReadThatMatchesNothingStillReportsTheHead() {
        writeCourses();
        assertThat(read(Query.tagged("nobody"), 0, Direction.FORWARDS, 10))
                .isEqualTo(new QueryReadResult(List.of(), 7));
        assertThat(read(Query.tagged("course:c1"), 7, Direction.FORWARDS, 10))
                .isEqualTo(new QueryReadResult(List.of(), 7));
    }

    @Test
    void forwardsFromAPositionWithALimit() {
        writeCourses();
        Query c1 = Query.tagged("course:c1");

        QueryReadResult page = read(c1, 1, Direction.FORWARDS, 2);
        assertThat(positions(page.events())).containsExactly(1L, 4L);
        assertThat(page.headPosition()).isEqualTo(7);
        assertThat(positions(read(c1, 2, Direction.FORWARDS, 10).events())).containsExactly(4L, 6L);
        assertThat(positions(read(c1, 4, Direction.FORWARDS, 1).events())).containsExactly(4L);
    }

    @Test
    void backwardsFromTheEndOrAPositionWithALimit() {
        writeCourses();
        Query c1 = Query.tagged("course:c1");

        assertThat(positions(
                        read(c1, ReadAllOptions.END, Direction.BACKWARDS, 3).events()))
                .containsExactly(6L, 4L, 1L);
        assertThat(positions(read(c1, 5, Direction.BACKWARDS, 10).events())).containsExactly(4L, 1L, 0L);
        assertThat(positions(read(c1, 4, Direction.BACKWARDS, 1).events())).containsExactly(4L);
        assertThat(positions(read(c1, 0, Direction.BACKWARDS, 10).events())).containsExactly(0L);
        assertThat(read(c1, 100, Direction.BACKWARDS, 10).headPosition()).isEqualTo(7);
        assertThat(positions(read(c1, 100, Direction.BACKWARDS, 10).events())).containsExactly(6L, 4L, 1L, 0L);
    }

    @Test
    void forwardsFromBeyondTheHeadIsEmptyWithTheHead() {
        writeCourses();
        assertThat(read(Query.tagged("course:c1"), 8, Direction.FORWARDS, 10))
                .isEqualTo(new QueryReadResult(List.of(), 7));
        assertThat(read(Query.tagged("course:c1"), ReadAllOptions.END, Direction.FORWARDS, 10))
                .isEqualTo(new QueryReadResult(List.of(), 7));
    }

    @Test
    void pagingForwardsAndBackwardsReturnsEveryMatchOnce() {
        for (int i = 0; i < 60; i++) {
            append("s-" + (i % 4), i % 3 == 0 ? tagged("Hit", "page", "n:" + i) : tagged("Miss", "n:" + i));
        }
        Query query = Query.tagged("page");
        List<RecordedEvent> expected = allMatching(query);
        assertThat(expected).hasSize(20);

        List<RecordedEvent> forwards = new ArrayList<>();
        long from = 0;
        while (true) {
            List<RecordedEvent> page = read(query, from, Direction.FORWARDS, 3).events();
            forwards.addAll(page);
            if (page.size() < 3) {
                break;
            }
            from = page.getLast().position() + 1;
        }
        List<RecordedEvent> backwards = new ArrayList<>();
        from = ReadAllOptions.END;
        while (from >= 0) {
            List<RecordedEvent> page = read(query, from, Direction.BACKWARDS, 7).events();
            backwards.addAll(page);
            if (page.size() < 7) {
                break;
            }
            from = page.getLast().position() - 1;
        }

        assertThat(forwards).isEqualTo(expected);
        assertThat(backwards).isEqualTo(expected.reversed());
    }

    @Test
    void aReadByQueryIsAllRestrictedToItsMatchesWhateverStreamMetadataSays() {
        writeCourses();
        store().setStreamMetadata(
                        "student-s1",
                        ExpectedVersion.any(),
                        StreamMetadata.empty().withMaxCount(1));
        store().delete("student-s2", ExpectedVersion.any());
        store().tombstone("course-c10", ExpectedVersion.any());
        append("student-s2", tagged("StudentEnrolled", "course:c1", "student:s2"));

        for (Query query : List.of(
                Query.tagged("course:c1"),
                Query.tagged("student:s1"),
                Query.of(QueryItem.types("CourseDefined"), QueryItem.tagged("student:s2")),
                Query.of(QueryItem.types("$metadata", "$streamDeleted")))) {
            List<RecordedEvent> expected = allMatching(query);
            assertThat(readForwards(query)).as("%s", query).isNotEmpty().isEqualTo(expected);
            assertThat(read(query, ReadAllOptions.END, Direction.BACKWARDS, 100).events())
                    .as("%s backwards", query)
                    .isEqualTo(expected.reversed());
        }
    }

    // ---- subscriptions ----

    @Test
    void aSubscriptionDeliversHistoryThenLiveMatchesOnly() throws Exception {
        writeCourses();
        Query c1 = Query.tagged("course:c1");

        RecordingListener listener = subscribe(c1, SubscribeFrom.start());
        listener.awaitCaughtUp(AWAIT);
        append("student-s3", tagged("StudentEnrolled", "course:c2", "student:s3"));
        append("student-s4", tagged("StudentEnrolled", "course:c1", "student:s4"));
        append("course-c1", tagged("CourseRenamed", "course:c1"));
        List<RecordedEvent> received = listener.awaitEvents(6, AWAIT);

        assertThat(listener.eventsBeforeFirstCaughtUp()).hasValue(4);
        assertThat(received).isEqualTo(allMatching(c1));
        assertThat(received.get(4).tags()).containsExactly("course:c1", "student:s4");
        assertThat(listener.violations()).isEmpty();
    }

    @Test
    void aSubscriptionStartsAfterAPositionOrAtTheEnd() throws Exception {
        writeCourses();
        Query c1 = Query.tagged("course:c1");

        RecordingListener afterOne = subscribe(c1, SubscribeFrom.after(1));
        RecordingListener afterFour = subscribe(c1, SubscribeFrom.after(4));
        RecordingListener fromEnd = subscribe(c1, SubscribeFrom.end());
        RecordingListener beyondHead = subscribe(c1, SubscribeFrom.after(9));
        fromEnd.awaitCaughtUp(AWAIT);
        beyondHead.awaitCaughtUp(AWAIT);
        append("x", tagged("Other", "course:c2")); // 8
        append("x", tagged("Other", "course:c1")); // 9
        append("x", tagged("Other", "course:c1")); // 10

        assertThat(positions(afterOne.awaitEvents(4, AWAIT))).containsExactly(4L, 6L, 9L, 10L);
        assertThat(positions(afterFour.awaitEvents(3, AWAIT))).containsExactly(6L, 9L, 10L);
        assertThat(positions(fromEnd.awaitEvents(2, AWAIT))).containsExactly(9L, 10L);
        assertThat(positions(beyondHead.awaitEvents(1, AWAIT))).containsExactly(10L);
        assertThat(fromEnd.eventsBeforeFirstCaughtUp()).hasValue(0);
    }

    @Test
    void catchUpRacingAWriterHasNoGapAndNoDuplicate() throws Exception {
        int appends = 400;
        Query query = Query.of(QueryItem.types("Hit"), QueryItem.tagged("lucky"));
        CountDownLatch writing = new CountDownLatch(1);
        RecordingListener[] listener = new RecordingListener[1];
        TckSupport.runConcurrently(2, worker -> {
            if (worker == 0) {
                for (int i = 0; i < appends; i++) {
                    append("race-" + (i % 5), i % 2 == 0 ? event("Hit") : tagged("Miss", i % 5 == 0 ? "lucky" : "n"));
                    if (i == appends / 10) {
                        writing.countDown();
                    }
                }
            } else {
                assertThat(writing.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                listener[0] = subscribe(query, SubscribeFrom.start());
            }
            return worker;
        });
        append("race-end", event("Hit"));
        List<RecordedEvent> expected = allMatching(query);

        assertThat(listener[0].awaitEvents(expected.size(), AWAIT)).isEqualTo(expected);
        assertThat(listener[0].violations()).isEmpty();
    }

    @Test
    void checkpointsAdvanceOverEventsThatDoNotMatchWhileCatchingUpAndLive() throws Exception {
        for (int i = 0; i < 10; i++) {
            append("noise", tagged("Noise", "n:" + i));
        }
        Query rare = Query.tagged("rare");

        RecordingListener listener = subscribe(rare, SubscribeFrom.start());
        listener.awaitMark("a checkpoint past the history", m -> isCheckpointAtLeast(m, 10), AWAIT);
        listener.awaitCaughtUp(AWAIT);
        for (int i = 0; i < 5; i++) {
            append("noise", event("Noise"));
        }
        listener.awaitMark("a checkpoint past the live noise", m -> isCheckpointAtLeast(m, 15), AWAIT);
        long rarePosition = append("rare", tagged("Rare", "rare"));
        append("noise", event("Noise"));
        listener.awaitMark("a checkpoint past the live event", m -> isCheckpointAtLeast(m, rarePosition + 2), AWAIT);

        assertThat(positions(listener.events())).containsExactly(rarePosition);
        assertThat(listener.checkpoints()).isSorted().doesNotHaveDuplicates().allSatisfy(c -> assertThat(c)
                .isLessThanOrEqualTo(store().headPosition() + 1));
        assertCheckpointsKeepTheirPromise(listener.marks(), readAllForwards(store()), rare);
        assertThat(listener.violations()).isEmpty();
    }

    private static boolean isCheckpointAtLeast(RecordingListener.Mark mark, long position) {
        return mark instanceof RecordingListener.Mark.Checkpoint c && c.position() >= position;
    }

    /**
     * A checkpoint c promises that every match below c was delivered before it: marks never go
     * backwards and no match lies between a mark and the next one.
     */
    private static void assertCheckpointsKeepTheirPromise(
            List<RecordingListener.Mark> marks, List<RecordedEvent> all, Query query) {
        long mark = 0;
        for (RecordingListener.Mark m : marks) {
            long next =
                    switch (m) {
                        case RecordingListener.Mark.Event e -> e.event().position();
                        case RecordingListener.Mark.Checkpoint c -> c.position();
                        case RecordingListener.Mark.CaughtUp c -> -1;
                    };
            if (next < 0) {
                continue;
            }
            assertThat(next).as("mark %s after position %d", m, mark).isGreaterThanOrEqualTo(mark);
            long from = mark;
            assertThat(all.stream().filter(r -> r.position() >= from && r.position() < next))
                    .as("matches skipped before %s", m)
                    .noneMatch(query::matches);
            mark = m instanceof RecordingListener.Mark.Event ? next + 1 : next;
        }
    }

    @Test
    void aQuerySubscriptionSeesWhatAnAllSubscriptionSeesRestrictedToItsMatches() throws Exception {
        writeCourses();
        Query c1 = Query.tagged("course:c1");
        RecordingListener byQuery = subscribe(c1, SubscribeFrom.start());
        RecordingListener byAll = new RecordingListener();
        opened.add(store().subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), byAll));
        byQuery.awaitCaughtUp(AWAIT);
        store().delete("student-s1", ExpectedVersion.any());
        append("student-s1", tagged("StudentEnrolled", "course:c1", "student:s1"));

        List<RecordedEvent> all = byAll.awaitEvents((int) store().headPosition() + 1, AWAIT);
        List<RecordedEvent> expected = all.stream().filter(c1::matches).toList();
        assertThat(byQuery.awaitEvents(expected.size(), AWAIT)).isEqualTo(expected);
    }

    @Test
    void closingTheStoreStopsAQuerySubscriptionAndRefusesDcbCalls() throws Exception {
        RecordingListener listener = subscribe(Query.tagged("t"), SubscribeFrom.start());
        listener.awaitCaughtUp(AWAIT);
        store().close();

        assertThat(listener.awaitStopped(AWAIT))
                .hasValueSatisfying(e -> assertThat(e).isInstanceOf(io.factum.api.StoreClosedException.class));
        List<ThrowingCallable> calls = List.of(
                () -> read(Query.tagged("t"), 0, Direction.FORWARDS, 1),
                () -> store().subscribeToQuery(Query.tagged("t"), SubscribeFrom.start(), new RecordingListener()),
                () -> store().appendMulti(
                                List.of(new StreamAppend("s", ExpectedVersion.any(), List.of(event("E")))),
                                Optional.of(AppendCondition.noneMatching(Query.tagged("t")))));
        for (ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(io.factum.api.StoreClosedException.class);
        }
    }
}
