package io.factum.testkit;

import static io.factum.testkit.TckSupport.AWAIT;
import static io.factum.testkit.TckSupport.event;
import static io.factum.testkit.TckSupport.events;
import static io.factum.testkit.TckSupport.ids;
import static io.factum.testkit.TckSupport.positions;
import static io.factum.testkit.TckSupport.range;
import static io.factum.testkit.TckSupport.readAllForwards;
import static io.factum.testkit.TckSupport.readStreamForwards;
import static io.factum.testkit.TckSupport.versions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAcl;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link EventStore} contract as executable tests (the TCK). A backend proves it keeps the
 * contract of {@code factum-api} and {@code DESIGN.md} by subclassing this class and implementing
 * {@link #newStore}; every test runs on every backend, none is skipped.
 *
 * <p>Each test gets a new, empty store with {@link #LIMITS} and a {@link ManualClock} starting at
 * a whole second; the suite closes the store afterwards. Waits are bounded ({@code 20 s}) and every
 * test has a time limit, so a hung backend fails instead of stalling the build.
 *
 * <p>Where the API's Javadoc leaves a choice open, the tests fix it; the rules are KurrentDB's
 * unless stated otherwise, and are listed in the report that introduced this suite.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EventStoreContractTest {

    /**
     * Small limits so that the limit tests stay cheap: 64-byte stream names, 32-byte types,
     * 1,024-byte events, 4,096-byte appends, 20 events per append, 100 events per read.
     */
    protected static final StoreLimits LIMITS = new StoreLimits(64, 32, 1024, 4096, 20, 100);

    /** A new, empty store using this clock for timestamps and maxAge, and these limits. Closed by the suite. */
    protected abstract EventStore newStore(ManualClock clock, StoreLimits limits) throws Exception;

    protected ManualClock clock;
    protected EventStore store;

    @BeforeEach
    void openStore() throws Exception {
        clock = ManualClock.atDefaultStart();
        store = newStore(clock, LIMITS);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- helpers ----

    private AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        return store.append(stream, expected, events);
    }

    private AppendResult appendAny(String stream, int count) {
        return store.append(stream, ExpectedVersion.any(), events(count));
    }

    /** A {@code $metadata} event with this JSON, as a KurrentDB client appends it to a metastream. */
    private static EventData metadataEvent(String json) {
        return new EventData(
                UUID.randomUUID(),
                SystemNames.METADATA_TYPE,
                json.getBytes(StandardCharsets.UTF_8),
                new byte[0],
                ContentType.JSON);
    }

    private ReadStreamResult.Found found(String stream, long from, Direction direction, int maxCount) {
        ReadStreamResult result = store.readStream(stream, from, direction, maxCount);
        assertThat(result).as("readStream(%s)", stream).isInstanceOf(ReadStreamResult.Found.class);
        return (ReadStreamResult.Found) result;
    }

    private List<RecordedEvent> streamEvents(String stream) {
        return found(stream, 0, Direction.FORWARDS, LIMITS.maxReadCount()).events();
    }

    private void assertNotFound(String stream) {
        assertThat(store.readStream(stream, 0, Direction.FORWARDS, 10))
                .isEqualTo(new ReadStreamResult.NotFound(stream));
        assertThat(store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 10))
                .isEqualTo(new ReadStreamResult.NotFound(stream));
    }

    private static void assertWrongExpectedVersion(
            ThrowingCallable call, String stream, ExpectedVersion expected, long actual) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
            assertThat(e.stream()).as("stream").isEqualTo(stream);
            assertThat(e.expected()).as("expected").isEqualTo(expected);
            assertThat(e.actualVersion()).as("actualVersion").isEqualTo(actual);
        });
    }

    /** The call fails with a conflict and writes nothing. */
    private void assertConflictWritesNothing(
            ThrowingCallable call, String stream, ExpectedVersion expected, long actual) {
        long head = store.headPosition();
        assertWrongExpectedVersion(call, stream, expected, actual);
        assertThat(store.headPosition()).as("head position after a conflict").isEqualTo(head);
    }

    /** The call is rejected as invalid input naming {@code field}, and nothing was written. */
    private void assertInvalid(ThrowingCallable call, String field) {
        long head = store.headPosition();
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field())
                .isEqualTo(field));
        assertThat(store.headPosition()).as("head position after invalid input").isEqualTo(head);
    }

    private void assertStreamDeleted(ThrowingCallable call, String stream) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StreamDeletedException.class, e -> assertThat(e.stream())
                .isEqualTo(stream));
    }

    private static void assertWellBehaved(RecordingListener listener) {
        assertThat(listener.violations()).as("listener contract violations").isEmpty();
    }

    @Nested
    @DisplayName("append: expected versions, versions, positions")
    class Appends {

        @Test
        void noStreamOnANewStreamStartsAtVersionZero() {
            AppendResult result = append("order-1", ExpectedVersion.noStream(), events(3));

            assertThat(result).isEqualTo(new AppendResult(2, 2, true));
            List<RecordedEvent> read = streamEvents("order-1");
            assertThat(versions(read)).containsExactly(0L, 1L, 2L);
            assertThat(positions(read)).containsExactly(0L, 1L, 2L);
            assertThat(store.headPosition()).isEqualTo(2);
        }

        @Test
        void noStreamOnAnExistingStreamConflicts() {
            appendAny("order-1", 1);

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.noStream(), events(1)),
                    "order-1",
                    ExpectedVersion.noStream(),
                    0);
        }

        @Test
        void anyAppendsToNewAndExistingStreams() {
            assertThat(append("order-1", ExpectedVersion.any(), events(2))).isEqualTo(new AppendResult(1, 1, true));
            assertThat(append("order-1", ExpectedVersion.any(), events(2))).isEqualTo(new AppendResult(3, 3, true));
            assertThat(versions(streamEvents("order-1"))).containsExactly(0L, 1L, 2L, 3L);
        }

        @Test
        void streamExistsOnAMissingStreamConflictsWithNoStreamVersion() {
            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.streamExists(), events(1)),
                    "order-1",
                    ExpectedVersion.streamExists(),
                    ExpectedVersion.NO_STREAM_VERSION);
            assertNotFound("order-1");
        }

        @Test
        void streamExistsOnAnExistingStreamAppends() {
            appendAny("order-1", 2);

            assertThat(append("order-1", ExpectedVersion.streamExists(), events(1)))
                    .isEqualTo(new AppendResult(2, 2, true));
        }

        @Test
        void exactVersionAppendsWhenItMatches() {
            appendAny("order-1", 3);

            assertThat(append("order-1", ExpectedVersion.exactly(2), events(2)))
                    .isEqualTo(new AppendResult(4, 4, true));
        }

        @Test
        void exactVersionAheadOfTheStreamConflicts() {
            appendAny("order-1", 3);

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.exactly(5), events(1)),
                    "order-1",
                    ExpectedVersion.exactly(5),
                    2);
        }

        @Test
        void exactVersionBehindTheStreamWithNewIdsConflicts() {
            appendAny("order-1", 3);

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.exactly(1), events(1)),
                    "order-1",
                    ExpectedVersion.exactly(1),
                    2);
        }

        @Test
        void exactVersionOnAMissingStreamConflictsWithNoStreamVersion() {
            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.exactly(0), events(1)),
                    "order-1",
                    ExpectedVersion.exactly(0),
                    -1);
        }

        @Test
        void positionsAreDenseFromZeroAndIncreaseAcrossStreams() {
            List<AppendResult> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(appendAny("s-" + (i % 3), 1 + i % 2));
            }

            List<RecordedEvent> all = readAllForwards(store);
            assertThat(positions(all)).isEqualTo(range(0, all.size()));
            assertThat(store.headPosition()).isEqualTo(all.size() - 1);
            for (int s = 0; s < 3; s++) {
                List<RecordedEvent> stream = streamEvents("s-" + s);
                assertThat(versions(stream)).isEqualTo(range(0, stream.size()));
                assertThat(positions(stream)).isSorted();
            }
            for (int i = 1; i < results.size(); i++) {
                assertThat(results.get(i).position())
                        .isGreaterThan(results.get(i - 1).position());
            }
        }

        @Test
        void resultReportsTheLastEventsVersionAndPosition() {
            appendAny("other", 4);
            appendAny("order-1", 2);

            AppendResult result = append("order-1", ExpectedVersion.exactly(1), events(3));

            assertThat(result.streamVersion()).isEqualTo(4);
            assertThat(result.position()).isEqualTo(8);
            assertThat(result.written()).isTrue();
            RecordedEvent last = streamEvents("order-1").getLast();
            assertThat(last.version()).isEqualTo(result.streamVersion());
            assertThat(last.position()).isEqualTo(result.position());
        }

        @Test
        void eventsOfOneAppendGetConsecutivePositionsInTheOrderGiven() {
            appendAny("other", 1);
            List<EventData> batch = events(5);

            append("order-1", ExpectedVersion.noStream(), batch);

            List<RecordedEvent> read = streamEvents("order-1");
            assertThat(ids(read)).isEqualTo(ids(batch));
            assertThat(positions(read)).containsExactly(1L, 2L, 3L, 4L, 5L);
        }

        @Test
        void emptyAppendOnANewStreamChecksTheExpectationAndWritesNothing() {
            assertThat(append("order-1", ExpectedVersion.noStream(), List.of()))
                    .isEqualTo(new AppendResult(-1, -1, false));
            assertThat(append("order-1", ExpectedVersion.any(), List.of())).isEqualTo(new AppendResult(-1, -1, false));
            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.streamExists(), List.of()),
                    "order-1",
                    ExpectedVersion.streamExists(),
                    -1);
            assertNotFound("order-1");
            assertThat(store.headPosition()).isEqualTo(-1);
        }

        @Test
        void emptyAppendOnAnExistingStreamChecksTheExpectationAndWritesNothing() {
            appendAny("order-1", 3);
            appendAny("other", 2);

            assertThat(append("order-1", ExpectedVersion.exactly(2), List.of()))
                    .isEqualTo(new AppendResult(2, 4, false));
            assertThat(append("order-1", ExpectedVersion.streamExists(), List.of()))
                    .isEqualTo(new AppendResult(2, 4, false));
            assertThat(append("order-1", ExpectedVersion.any(), List.of())).isEqualTo(new AppendResult(2, 4, false));
            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.exactly(1), List.of()),
                    "order-1",
                    ExpectedVersion.exactly(1),
                    2);
            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.noStream(), List.of()),
                    "order-1",
                    ExpectedVersion.noStream(),
                    2);
            assertThat(streamEvents("order-1")).hasSize(3);
        }

        @Test
        void writtenIsTrueForEveryAppendThatStoredEvents() {
            assertThat(append("a", ExpectedVersion.noStream(), events(1)).written())
                    .isTrue();
            assertThat(append("a", ExpectedVersion.exactly(0), events(1)).written())
                    .isTrue();
            assertThat(append("a", ExpectedVersion.streamExists(), events(1)).written())
                    .isTrue();
            assertThat(append("a", ExpectedVersion.any(), events(1)).written()).isTrue();
            assertThat(store.headPosition()).isEqualTo(3);
        }

        @Test
        void systemStreamsAreStreamsLikeAnyOther() {
            // Who may write a system stream is for the server to decide (ACLs, as in KurrentDB); the
            // store treats it as a stream.
            assertThat(append("$settings", ExpectedVersion.noStream(), events(2)))
                    .isEqualTo(new AppendResult(1, 1, true));
            store.setStreamMetadata(
                    "$settings",
                    ExpectedVersion.noStream(),
                    StreamMetadata.empty().withMaxCount(1));

            assertThat(versions(streamEvents("$settings"))).containsExactly(1L);
            assertThat(store.getStreamMetadata("$settings").metastreamVersion()).isEqualTo(0);
        }
    }

    @Nested
    @DisplayName("append: idempotent retries (KurrentDB)")
    class Idempotency {

        @Test
        void retryWithTheSameExactVersionSucceedsWithoutWriting() {
            appendAny("order-1", 1);
            List<EventData> batch = events(2);
            AppendResult first = append("order-1", ExpectedVersion.exactly(0), batch);

            AppendResult retry = append("order-1", ExpectedVersion.exactly(0), batch);

            assertThat(retry).isEqualTo(new AppendResult(first.streamVersion(), first.position(), false));
            assertThat(streamEvents("order-1")).hasSize(3);
            assertThat(readAllForwards(store)).hasSize(3);
        }

        @Test
        void retryWithNoStreamSucceedsWithoutWriting() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.noStream(), batch);

            assertThat(append("order-1", ExpectedVersion.noStream(), batch)).isEqualTo(new AppendResult(1, 1, false));
            assertThat(store.headPosition()).isEqualTo(1);
        }

        @Test
        void retryIsIdempotentEvenAfterLaterAppends() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.noStream(), batch);
            appendAny("order-1", 3);
            appendAny("other", 1);

            assertThat(append("order-1", ExpectedVersion.noStream(), batch)).isEqualTo(new AppendResult(1, 1, false));
            assertThat(streamEvents("order-1")).hasSize(5);
            assertThat(store.headPosition()).isEqualTo(5);
        }

        @Test
        void retryOfAPrefixOfAStoredBatchIsIdempotentToo() {
            List<EventData> batch = events(3);
            append("order-1", ExpectedVersion.noStream(), batch);

            assertThat(append("order-1", ExpectedVersion.noStream(), batch.subList(0, 2)))
                    .isEqualTo(new AppendResult(1, 1, false));
        }

        @Test
        void retryWhereOnlySomeIdsMatchConflicts() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.noStream(), batch);
            List<EventData> changed = List.of(batch.get(0), event("Other"));

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.noStream(), changed),
                    "order-1",
                    ExpectedVersion.noStream(),
                    1);
        }

        @Test
        void retryOfALongerBatchThanWasStoredConflicts() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.noStream(), batch);
            List<EventData> longer = new ArrayList<>(batch);
            longer.add(event("Extra"));

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.noStream(), longer),
                    "order-1",
                    ExpectedVersion.noStream(),
                    1);
        }

        @Test
        void retryWithAnyOfTheMostRecentBatchSucceedsWithoutWriting() {
            appendAny("order-1", 2);
            List<EventData> batch = events(3);
            AppendResult first = append("order-1", ExpectedVersion.any(), batch);

            AppendResult retry = append("order-1", ExpectedVersion.any(), batch);

            assertThat(retry).isEqualTo(new AppendResult(4, first.position(), false));
            assertThat(streamEvents("order-1")).hasSize(5);
        }

        @Test
        void retryWithStreamExistsOfTheMostRecentBatchSucceedsWithoutWriting() {
            appendAny("order-1", 1);
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.streamExists(), batch);

            assertThat(append("order-1", ExpectedVersion.streamExists(), batch))
                    .isEqualTo(new AppendResult(2, 2, false));
            assertThat(store.headPosition()).isEqualTo(2);
        }

        @Test
        void retryWithAnyWhereOnlySomeIdsMatchConflicts() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.any(), batch);
            List<EventData> changed = List.of(batch.get(0), event("Other"));

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.any(), changed), "order-1", ExpectedVersion.any(), 1);
        }

        @Test
        void sameIdsInAnotherStreamAreANewBatch() {
            List<EventData> batch = events(2);
            append("order-1", ExpectedVersion.any(), batch);

            assertThat(append("order-2", ExpectedVersion.any(), batch)).isEqualTo(new AppendResult(1, 3, true));
        }

        @Test
        void differentIdsAtATakenVersionConflict() {
            appendAny("order-1", 1);
            append("order-1", ExpectedVersion.exactly(0), events(1));

            assertConflictWritesNothing(
                    () -> append("order-1", ExpectedVersion.exactly(0), events(1)),
                    "order-1",
                    ExpectedVersion.exactly(0),
                    1);
        }

        @Test
        void retryOfAMultiStreamAppendSucceedsWithoutWriting() {
            List<StreamAppend> call = List.of(
                    new StreamAppend("a", ExpectedVersion.noStream(), events(2)),
                    new StreamAppend("b", ExpectedVersion.noStream(), events(1)));
            List<AppendResult> first = store.appendMulti(call);

            List<AppendResult> retry = store.appendMulti(call);

            assertThat(first).containsExactly(new AppendResult(1, 1, true), new AppendResult(0, 2, true));
            assertThat(retry).containsExactly(new AppendResult(1, 1, false), new AppendResult(0, 2, false));
            assertThat(store.headPosition()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("appendMulti: atomic appends to several streams")
    class MultiStream {

        @Test
        void allOrNothingWhenOneExpectationFails() {
            appendAny("a", 1);
            long head = store.headPosition();

            assertWrongExpectedVersion(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.exactly(0), events(1)),
                            new StreamAppend("b", ExpectedVersion.noStream(), events(2)),
                            new StreamAppend("c", ExpectedVersion.exactly(5), events(1)))),
                    "c",
                    ExpectedVersion.exactly(5),
                    -1);

            assertThat(store.headPosition()).isEqualTo(head);
            assertThat(readAllForwards(store)).hasSize(1);
            assertThat(streamEvents("a")).hasSize(1);
            assertNotFound("b");
            assertNotFound("c");
        }

        @Test
        void theFirstFailingPartIsReported() {
            appendAny("b", 1);

            assertWrongExpectedVersion(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.any(), events(1)),
                            new StreamAppend("b", ExpectedVersion.noStream(), events(1)),
                            new StreamAppend("c", ExpectedVersion.streamExists(), events(1)))),
                    "b",
                    ExpectedVersion.noStream(),
                    0);
            assertNotFound("a");
        }

        @Test
        void eventsGetConsecutivePositionsInTheOrderGiven() {
            appendAny("a", 2);
            List<EventData> forB = events(2);
            List<EventData> forA = events(1);
            List<EventData> forC = events(3);

            List<AppendResult> results = store.appendMulti(List.of(
                    new StreamAppend("b", ExpectedVersion.noStream(), forB),
                    new StreamAppend("a", ExpectedVersion.exactly(1), forA),
                    new StreamAppend("c", ExpectedVersion.any(), forC)));

            assertThat(results)
                    .containsExactly(
                            new AppendResult(1, 3, true), new AppendResult(2, 4, true), new AppendResult(2, 7, true));
            List<RecordedEvent> all = readAllForwards(store);
            assertThat(all.subList(2, 8))
                    .extracting(RecordedEvent::stream)
                    .containsExactly("b", "b", "a", "c", "c", "c");
            List<UUID> expectedIds = new ArrayList<>(ids(forB));
            expectedIds.addAll(ids(forA));
            expectedIds.addAll(ids(forC));
            assertThat(ids(all.subList(2, 8))).isEqualTo(expectedIds);
            assertThat(versions(streamEvents("a"))).containsExactly(0L, 1L, 2L);
        }

        @Test
        void anEmptyPartOnlyChecksItsExpectationAndReportsTheHeadWhereItStands() {
            appendAny("a", 1);

            List<AppendResult> results = store.appendMulti(List.of(
                    new StreamAppend("a", ExpectedVersion.exactly(0), List.of()),
                    new StreamAppend("b", ExpectedVersion.noStream(), events(2)),
                    new StreamAppend("c", ExpectedVersion.noStream(), List.of())));

            assertThat(results)
                    .containsExactly(
                            new AppendResult(0, 0, false),
                            new AppendResult(1, 2, true),
                            new AppendResult(-1, 2, false));
            assertConflictWritesNothing(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("d", ExpectedVersion.any(), events(1)),
                            new StreamAppend("a", ExpectedVersion.exactly(5), List.of()))),
                    "a",
                    ExpectedVersion.exactly(5),
                    0);
        }

        @Test
        void aStreamMayAppearOnlyOnce() {
            assertInvalid(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.any(), events(1)),
                            new StreamAppend("b", ExpectedVersion.any(), events(1)),
                            new StreamAppend("a", ExpectedVersion.any(), events(1)))),
                    "stream");
        }

        @Test
        void anEmptyCallIsRejected() {
            assertInvalid(() -> store.appendMulti(List.of()), "appends");
        }

        @Test
        void theLimitsApplyToTheWholeCall() {
            assertInvalid(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.any(), events(LIMITS.maxEventsPerAppend())),
                            new StreamAppend("b", ExpectedVersion.any(), events(1)))),
                    "events");
            List<EventData> big =
                    List.of(EventData.binary("Big", new byte[1000]), EventData.binary("Big", new byte[1000]));
            assertInvalid(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.any(), big),
                            new StreamAppend("b", ExpectedVersion.any(), big),
                            new StreamAppend("c", ExpectedVersion.any(), big))),
                    "events");
        }

        @Test
        void anInvalidPartRejectsTheWholeCall() {
            assertInvalid(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("a", ExpectedVersion.any(), events(1)),
                            new StreamAppend("", ExpectedVersion.any(), events(1)))),
                    "stream");
            assertNotFound("a");
        }
    }

    @Nested
    @DisplayName("bad input is rejected, naming the field, and changes nothing")
    class Validation {

        @BeforeEach
        void seed() {
            appendAny("seed", 1);
        }

        @Test
        void emptyStreamName() {
            assertInvalid(() -> appendAny("", 1), "stream");
            assertInvalid(() -> store.readStream("", 0, Direction.FORWARDS, 1), "stream");
        }

        @Test
        void streamNameLengthIsCountedInUtf8Bytes() {
            String ascii = "a".repeat(LIMITS.maxStreamNameBytes());
            String twoByte = "é".repeat(LIMITS.maxStreamNameBytes() / 2);
            String threeByte = "€".repeat(21) + "a";
            String fourByte = "😀".repeat(LIMITS.maxStreamNameBytes() / 4);
            for (String atLimit : List.of(ascii, twoByte, threeByte, fourByte)) {
                assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(LIMITS.maxStreamNameBytes());
                assertThat(appendAny(atLimit, 1).written()).as(atLimit).isTrue();
                assertThat(streamEvents(atLimit)).hasSize(1);
                assertInvalid(() -> appendAny(atLimit + "a", 1), "stream");
                assertInvalid(() -> store.readStream(atLimit + "a", 0, Direction.FORWARDS, 1), "stream");
            }
        }

        @Test
        void streamNameWithControlCharacters() {
            for (String name : List.of("a\nb", "a\u0000b", "\tab", "a\u007fb")) {
                assertInvalid(() -> appendAny(name, 1), "stream");
            }
        }

        @Test
        void streamNameWithALoneSurrogate() {
            assertInvalid(() -> appendAny("a\uD800b", 1), "stream");
        }

        @Test
        void theGlobalLogIsNotAStream() {
            String all = SystemNames.ALL;
            assertInvalid(() -> appendAny(all, 1), "stream");
            assertInvalid(() -> store.readStream(all, 0, Direction.FORWARDS, 1), "stream");
            assertInvalid(() -> store.subscribeToStream(all, SubscribeFrom.start(), new RecordingListener()), "stream");
            assertInvalid(() -> store.getStreamMetadata(all), "stream");
            assertInvalid(() -> store.setStreamMetadata(all, ExpectedVersion.any(), StreamMetadata.empty()), "stream");
            assertInvalid(() -> store.delete(all, ExpectedVersion.any()), "stream");
            assertInvalid(() -> store.tombstone(all, ExpectedVersion.any()), "stream");
        }

        @Test
        void metadataAndDeletesNameTheStreamNotItsMetastream() {
            appendAny("s", 1);

            assertInvalid(() -> store.getStreamMetadata("$$s"), "stream");
            assertInvalid(
                    () -> store.setStreamMetadata("$$s", ExpectedVersion.any(), StreamMetadata.empty()), "stream");
            assertInvalid(() -> store.delete("$$s", ExpectedVersion.any()), "stream");
            assertInvalid(() -> store.tombstone("$$s", ExpectedVersion.any()), "stream");
        }

        @Test
        void aMetastreamTakesOnlyValidMetadataEvents() {
            EventData wrongRange = metadataEvent("{\"$maxCount\":0}");
            EventData notJson = metadataEvent("max count: 3");

            assertInvalid(() -> append("$$s", ExpectedVersion.any(), List.of(event("Other"))), "eventType");
            assertInvalid(() -> append("$$s", ExpectedVersion.any(), List.of(wrongRange)), "metadata");
            assertInvalid(() -> append("$$s", ExpectedVersion.any(), List.of(notJson)), "metadata");
        }

        @Test
        void eventTypeEmptyOrTooLong() {
            String atLimit = "T".repeat(LIMITS.maxEventTypeBytes());
            assertInvalid(() -> append("s", ExpectedVersion.any(), List.of(event(""))), "eventType");
            assertInvalid(() -> append("s", ExpectedVersion.any(), List.of(event(atLimit + "x"))), "eventType");
            assertInvalid(() -> append("s", ExpectedVersion.any(), List.of(event("A\nB"))), "eventType");
            assertThat(append("s", ExpectedVersion.any(), List.of(event(atLimit)))
                            .written())
                    .isTrue();
            assertThat(streamEvents("s").getFirst().type()).isEqualTo(atLimit);
        }

        @Test
        void eventLargerThanMaxEventBytes() {
            int max = LIMITS.maxEventBytes();
            EventData tooBig =
                    new EventData(UUID.randomUUID(), "Big", new byte[max - 10], new byte[11], ContentType.BINARY);
            assertInvalid(() -> append("s", ExpectedVersion.any(), List.of(event("Small"), tooBig)), "events[1]");
            EventData atLimit =
                    new EventData(UUID.randomUUID(), "Big", new byte[max - 10], new byte[10], ContentType.BINARY);
            assertThat(append("s", ExpectedVersion.any(), List.of(atLimit)).written())
                    .isTrue();
        }

        @Test
        void appendLargerThanMaxAppendBytes() {
            int perEvent = LIMITS.maxAppendBytes() / 4;
            List<EventData> atLimit = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                atLimit.add(EventData.binary("Part", new byte[perEvent]));
            }
            List<EventData> over = new ArrayList<>(atLimit);
            over.add(EventData.binary("Part", new byte[1]));

            assertInvalid(() -> append("s", ExpectedVersion.any(), over), "events");
            assertThat(append("s", ExpectedVersion.any(), atLimit).written()).isTrue();
        }

        @Test
        void tooManyEventsInOneAppend() {
            assertInvalid(() -> appendAny("s", LIMITS.maxEventsPerAppend() + 1), "events");
            assertThat(appendAny("s", LIMITS.maxEventsPerAppend()).written()).isTrue();
        }

        @Test
        void invalidInputIsReportedBeforeAConflictOrADeletedStream() {
            store.tombstone("gone", ExpectedVersion.any());
            assertInvalid(() -> append("gone", ExpectedVersion.any(), List.of(event(""))), "eventType");
            assertInvalid(() -> append("seed", ExpectedVersion.exactly(7), List.of(event(""))), "eventType");
        }

        @Test
        void readCountOutOfRange() {
            assertInvalid(() -> store.readStream("seed", 0, Direction.FORWARDS, 0), "maxCount");
            assertInvalid(() -> store.readStream("seed", 0, Direction.FORWARDS, -1), "maxCount");
            assertInvalid(() -> store.readStream("seed", 0, Direction.FORWARDS, LIMITS.maxReadCount() + 1), "maxCount");
            assertInvalid(() -> store.readAll(ReadAllOptions.forwards(0, LIMITS.maxReadCount() + 1)), "maxCount");
            assertInvalid(() -> store.readAll(ReadAllOptions.backwards(0, LIMITS.maxReadCount() + 1)), "maxCount");
            assertThat(found("seed", 0, Direction.FORWARDS, LIMITS.maxReadCount())
                            .events())
                    .hasSize(1);
            assertThat(store.readAll(ReadAllOptions.forwards(0, LIMITS.maxReadCount()))
                            .events())
                    .hasSize(1);
        }

        @Test
        void negativeFromVersion() {
            assertInvalid(() -> store.readStream("seed", -1, Direction.FORWARDS, 10), "fromVersion");
            assertInvalid(() -> store.readStream("seed", -1, Direction.BACKWARDS, 10), "fromVersion");
        }
    }

    @Nested
    @DisplayName("readStream")
    class ReadStream {

        @Test
        void forwardsFromTheStartReturnsEveryEventInOrder() {
            List<EventData> written = events(10);
            append("s", ExpectedVersion.noStream(), written);

            ReadStreamResult.Found result = found("s", 0, Direction.FORWARDS, 100);

            assertThat(versions(result.events())).isEqualTo(range(0, 10));
            assertThat(ids(result.events())).isEqualTo(ids(written));
            assertThat(result.lastStreamVersion()).isEqualTo(9);
            assertThat(result.endOfStream()).isTrue();
        }

        @Test
        void forwardsFromAVersionWithALimit() {
            appendAny("s", 10);

            ReadStreamResult.Found middle = found("s", 3, Direction.FORWARDS, 4);
            ReadStreamResult.Found toTheEnd = found("s", 6, Direction.FORWARDS, 4);
            ReadStreamResult.Found beforeTheEnd = found("s", 7, Direction.FORWARDS, 2);

            assertThat(versions(middle.events())).containsExactly(3L, 4L, 5L, 6L);
            assertThat(middle.endOfStream()).isFalse();
            assertThat(versions(toTheEnd.events())).containsExactly(6L, 7L, 8L, 9L);
            assertThat(toTheEnd.endOfStream()).isTrue();
            assertThat(versions(beforeTheEnd.events())).containsExactly(7L, 8L);
            assertThat(beforeTheEnd.endOfStream()).isFalse();
            assertThat(beforeTheEnd.lastStreamVersion()).isEqualTo(9);
        }

        @Test
        void forwardsBeyondTheEndIsEmptyAndAtTheEnd() {
            appendAny("s", 3);

            ReadStreamResult.Found result = found("s", 3, Direction.FORWARDS, 10);
            ReadStreamResult.Found farBeyond = found("s", Long.MAX_VALUE, Direction.FORWARDS, 10);

            assertThat(result).isEqualTo(new ReadStreamResult.Found(List.of(), 2, true));
            assertThat(farBeyond).isEqualTo(new ReadStreamResult.Found(List.of(), 2, true));
        }

        @Test
        void backwardsFromLongMaxValueStartsAtTheLastEvent() {
            appendAny("s", 10);

            ReadStreamResult.Found result = found("s", Long.MAX_VALUE, Direction.BACKWARDS, 3);

            assertThat(versions(result.events())).containsExactly(9L, 8L, 7L);
            assertThat(result.endOfStream()).isFalse();
            assertThat(result.lastStreamVersion()).isEqualTo(9);
        }

        @Test
        void backwardsFromAVersionWithALimit() {
            appendAny("s", 10);

            ReadStreamResult.Found middle = found("s", 5, Direction.BACKWARDS, 3);
            ReadStreamResult.Found toTheStart = found("s", 2, Direction.BACKWARDS, 3);
            ReadStreamResult.Found pastTheStart = found("s", 2, Direction.BACKWARDS, 10);
            ReadStreamResult.Found beyondTheEnd = found("s", 100, Direction.BACKWARDS, 2);

            assertThat(versions(middle.events())).containsExactly(5L, 4L, 3L);
            assertThat(middle.endOfStream()).isFalse();
            assertThat(versions(toTheStart.events())).containsExactly(2L, 1L, 0L);
            assertThat(toTheStart.endOfStream()).isTrue();
            assertThat(versions(pastTheStart.events())).containsExactly(2L, 1L, 0L);
            assertThat(pastTheStart.endOfStream()).isTrue();
            assertThat(versions(beyondTheEnd.events())).containsExactly(9L, 8L);
        }

        @Test
        void pagingForwardsAndBackwardsCoversTheStreamExactlyOnce() {
            appendAny("s", 20);
            appendAny("s", 5);

            List<Long> forwards = new ArrayList<>();
            long from = 0;
            ReadStreamResult.Found page;
            do {
                page = found("s", from, Direction.FORWARDS, 7);
                forwards.addAll(versions(page.events()));
                from = page.events().isEmpty() ? from : page.events().getLast().version() + 1;
            } while (!page.endOfStream());
            List<Long> backwards = new ArrayList<>();
            from = Long.MAX_VALUE;
            do {
                page = found("s", from, Direction.BACKWARDS, 7);
                backwards.addAll(versions(page.events()));
                from = page.events().getLast().version() - 1;
            } while (!page.endOfStream());

            assertThat(forwards).isEqualTo(range(0, 25));
            assertThat(backwards).isEqualTo(range(0, 25).reversed());
        }

        @Test
        void aStreamNeverWrittenIsNotFound() {
            appendAny("other", 1);

            assertNotFound("missing");
            assertThat(store.readStream("missing", 0, Direction.FORWARDS, 1).events())
                    .isEmpty();
        }

        @Test
        void everyFieldRoundTrips() {
            UUID id = UUID.randomUUID();
            EventData json = EventData.json(
                    id, "OrderPlaced", "{\"total\":12.5,\"note\":\"çà\"}", "{\"$correlationId\":\"c-1\"}");
            byte[] binaryData = {0, 1, 2, (byte) 0xff, (byte) 0x80};
            EventData binary =
                    new EventData(UUID.randomUUID(), "Blob", binaryData, new byte[] {9, 8}, ContentType.BINARY);
            EventData empty = new EventData(UUID.randomUUID(), "Empty", new byte[0], new byte[0], ContentType.JSON);
            Instant firstAppend = clock.instant();
            append("order-ü-1", ExpectedVersion.noStream(), List.of(json, binary));
            Instant secondAppend = clock.advance(Duration.ofMillis(1500));
            append("order-ü-1", ExpectedVersion.exactly(1), List.of(empty));

            List<RecordedEvent> read = streamEvents("order-ü-1");

            assertThat(read)
                    .containsExactly(
                            new RecordedEvent(
                                    "order-ü-1",
                                    0,
                                    0,
                                    id,
                                    "OrderPlaced",
                                    json.data(),
                                    json.metadata(),
                                    ContentType.JSON,
                                    firstAppend),
                            new RecordedEvent(
                                    "order-ü-1",
                                    1,
                                    1,
                                    binary.eventId(),
                                    "Blob",
                                    binaryData,
                                    new byte[] {9, 8},
                                    ContentType.BINARY,
                                    firstAppend),
                            new RecordedEvent(
                                    "order-ü-1",
                                    2,
                                    2,
                                    empty.eventId(),
                                    "Empty",
                                    new byte[0],
                                    new byte[0],
                                    ContentType.JSON,
                                    secondAppend));
            assertThat(read.getFirst().dataAsString()).isEqualTo("{\"total\":12.5,\"note\":\"çà\"}");
            assertThat(read.getFirst().metadataAsString()).isEqualTo("{\"$correlationId\":\"c-1\"}");
            assertThat(readAllForwards(store)).isEqualTo(read);
        }

        @Test
        void theLatestMetadataEventCanBeReadFromTheMetastream() {
            appendAny("s", 1);
            store.setStreamMetadata(
                    "s", ExpectedVersion.noStream(), StreamMetadata.empty().withMaxCount(5));
            store.setStreamMetadata(
                    "s", ExpectedVersion.exactly(0), StreamMetadata.empty().withMaxCount(7));

            ReadStreamResult.Found meta = found("$$s", Long.MAX_VALUE, Direction.BACKWARDS, 1);

            assertThat(meta.events()).singleElement().satisfies(e -> {
                assertThat(e.stream()).isEqualTo("$$s");
                assertThat(e.type()).isEqualTo(SystemNames.METADATA_TYPE);
                assertThat(e.version()).isEqualTo(1);
                assertThat(e.position()).isEqualTo(2);
                assertThat(e.contentType()).isEqualTo(ContentType.JSON);
                assertThat(StreamMetadataCodec.decode(e.data()))
                        .isEqualTo(StreamMetadata.empty().withMaxCount(7));
            });
            assertThat(meta.lastStreamVersion()).isEqualTo(1);
        }

        /** KurrentDB clients read metadata forwards from the start and take the first event. */
        @Test
        void aMetastreamShowsOnlyItsNewestEvent() {
            appendAny("s", 1);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(7));
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(9));

            ReadStreamResult.Found meta = found("$$s", 0, Direction.FORWARDS, 10);

            assertThat(meta.events()).singleElement().satisfies(e -> {
                assertThat(e.version()).isEqualTo(2);
                assertThat(StreamMetadataCodec.decode(e.data()))
                        .isEqualTo(StreamMetadata.empty().withMaxCount(9));
            });
            assertThat(readAllForwards(store).stream().filter(e -> e.stream().equals("$$s")))
                    .as("$all keeps every metadata event")
                    .hasSize(3);
        }
    }

    @Nested
    @DisplayName("readAll")
    class ReadAll {

        @Test
        void anEmptyStoreHasNothingToRead() {
            assertThat(store.headPosition()).isEqualTo(-1);
            assertThat(store.readAll(ReadAllOptions.forwards(0, 10))).isEqualTo(new ReadAllResult(List.of(), 0, true));
            assertThat(store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 10)))
                    .isEqualTo(new ReadAllResult(List.of(), -1, true));
        }

        @Test
        void forwardsReturnsEveryStreamInPositionOrder() {
            appendAny("a", 2);
            appendAny("b", 1);
            appendAny("a", 1);

            ReadAllResult result = store.readAll(ReadAllOptions.forwards(0, 100));

            assertThat(positions(result.events())).containsExactly(0L, 1L, 2L, 3L);
            assertThat(result.events()).extracting(RecordedEvent::stream).containsExactly("a", "a", "b", "a");
            assertThat(versions(result.events())).containsExactly(0L, 1L, 0L, 2L);
            assertThat(result.nextPosition()).isEqualTo(4);
            assertThat(result.endOfAll()).isTrue();
        }

        @Test
        void backwardsFromTheEndReturnsNewestFirst() {
            appendAny("a", 2);
            appendAny("b", 2);

            ReadAllResult result = store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 100));

            assertThat(positions(result.events())).containsExactly(3L, 2L, 1L, 0L);
            assertThat(result.nextPosition()).isEqualTo(-1);
            assertThat(result.endOfAll()).isTrue();
            assertThat(positions(store.readAll(ReadAllOptions.backwards(2, 100)).events()))
                    .containsExactly(2L, 1L, 0L);
        }

        @Test
        void pagingForwardsWithNextPositionUntilTheEnd() {
            for (int i = 0; i < 5; i++) {
                appendAny("s-" + i, 5);
            }

            ReadAllResult first = store.readAll(ReadAllOptions.forwards(0, 10));
            ReadAllResult second = store.readAll(ReadAllOptions.forwards(first.nextPosition(), 10));
            ReadAllResult third = store.readAll(ReadAllOptions.forwards(second.nextPosition(), 10));

            assertThat(positions(first.events())).isEqualTo(range(0, 10));
            assertThat(first.nextPosition()).isEqualTo(10);
            assertThat(first.endOfAll()).isFalse();
            assertThat(positions(second.events())).isEqualTo(range(10, 20));
            assertThat(second.endOfAll()).isFalse();
            assertThat(positions(third.events())).isEqualTo(range(20, 25));
            assertThat(third.nextPosition()).isEqualTo(25);
            assertThat(third.endOfAll()).isTrue();
        }

        @Test
        void aPageEndingAtTheHeadIsTheEnd() {
            appendAny("s", 20);

            ReadAllResult second = store.readAll(ReadAllOptions.forwards(10, 10));
            ReadAllResult last = store.readAll(ReadAllOptions.backwards(9, 10));

            assertThat(second.endOfAll()).isTrue();
            assertThat(second.nextPosition()).isEqualTo(20);
            assertThat(last.endOfAll()).isTrue();
            assertThat(last.nextPosition()).isEqualTo(-1);
        }

        @Test
        void aPageEndingOneShortOfEitherEndIsNotTheEnd() {
            appendAny("s", 20);

            ReadAllResult forwards = store.readAll(ReadAllOptions.forwards(0, 19));
            ReadAllResult backwards = store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 19));

            assertThat(forwards.nextPosition()).isEqualTo(19);
            assertThat(forwards.endOfAll()).isFalse();
            assertThat(backwards.nextPosition()).isEqualTo(0);
            assertThat(backwards.endOfAll()).isFalse();
        }

        @Test
        void pagingBackwardsWithNextPositionUntilTheStart() {
            appendAny("s", 20);
            appendAny("t", 5);

            ReadAllResult first = store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 10));
            ReadAllResult second = store.readAll(ReadAllOptions.backwards(first.nextPosition(), 10));
            ReadAllResult third = store.readAll(ReadAllOptions.backwards(second.nextPosition(), 10));

            assertThat(positions(first.events())).isEqualTo(range(15, 25).reversed());
            assertThat(first.nextPosition()).isEqualTo(14);
            assertThat(first.endOfAll()).isFalse();
            assertThat(positions(second.events())).isEqualTo(range(5, 15).reversed());
            assertThat(second.nextPosition()).isEqualTo(4);
            assertThat(positions(third.events())).isEqualTo(range(0, 5).reversed());
            assertThat(third.nextPosition()).isEqualTo(-1);
            assertThat(third.endOfAll()).isTrue();
        }

        @Test
        void forwardsFromBeyondTheHeadIsEmptyAndAtTheEnd() {
            appendAny("s", 3);

            assertThat(store.readAll(ReadAllOptions.forwards(3, 10))).isEqualTo(new ReadAllResult(List.of(), 3, true));
            assertThat(store.readAll(ReadAllOptions.forwards(50, 10)))
                    .isEqualTo(new ReadAllResult(List.of(), 50, true));
        }

        @Test
        void readAllReturnsTheSameRecordsAsReadStream() {
            clock.advance(Duration.ofSeconds(3));
            append("s", ExpectedVersion.any(), events("Created", 3));

            assertThat(readAllForwards(store)).isEqualTo(streamEvents("s"));
        }

        @Test
        void filterOnStreamNamePrefixes() {
            appendAny("order-1", 1);
            appendAny("invoice-1", 1);
            appendAny("order-2", 2);
            appendAny("customer-1", 1);

            ReadAllResult result = store.readAll(
                    ReadAllOptions.forwards(0, 100).withFilter(EventFilter.streamNamePrefix("order-", "cust")));

            assertThat(result.events())
                    .extracting(RecordedEvent::stream)
                    .containsExactly("order-1", "order-2", "order-2", "customer-1");
            assertThat(result.endOfAll()).isTrue();
        }

        @Test
        void filterOnStreamNameRegexFindsAnywhere() {
            appendAny("order-1", 1);
            appendAny("big-order-22", 1);
            appendAny("invoice-3", 1);

            List<RecordedEvent> anchored = store.readAll(
                            ReadAllOptions.forwards(0, 100).withFilter(EventFilter.streamNameRegex("^order-\\d+$")))
                    .events();
            List<RecordedEvent> anywhere = store.readAll(
                            ReadAllOptions.forwards(0, 100).withFilter(EventFilter.streamNameRegex("order")))
                    .events();

            assertThat(anchored).extracting(RecordedEvent::stream).containsExactly("order-1");
            assertThat(anywhere).extracting(RecordedEvent::stream).containsExactly("order-1", "big-order-22");
        }

        @Test
        void filterOnEventTypePrefixesAndRegex() {
            append("s", ExpectedVersion.any(), List.of(event("OrderPlaced"), event("OrderShipped"), event("Paid")));
            append("t", ExpectedVersion.any(), List.of(event("OrderCancelled"), event("Refunded")));

            List<RecordedEvent> prefixed = store.readAll(
                            ReadAllOptions.forwards(0, 100).withFilter(EventFilter.eventTypePrefix("Order", "Ref")))
                    .events();
            List<RecordedEvent> regex = store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 100)
                            .withFilter(EventFilter.eventTypeRegex("r[SC]")))
                    .events();

            assertThat(prefixed)
                    .extracting(RecordedEvent::type)
                    .containsExactly("OrderPlaced", "OrderShipped", "OrderCancelled", "Refunded");
            assertThat(regex).extracting(RecordedEvent::type).containsExactly("OrderCancelled", "OrderShipped");
        }

        @Test
        void systemRecordsAreInAllAndFilteredByTheExcludeFilters() {
            appendAny("s", 1);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(3));
            appendAny("t", 1);
            store.tombstone("t", ExpectedVersion.any());

            List<RecordedEvent> all = readAllForwards(store);
            List<RecordedEvent> noSystemStreams = store.readAll(
                            ReadAllOptions.forwards(0, 100).withFilter(EventFilter.excludeSystemStreams()))
                    .events();
            List<RecordedEvent> noSystemEvents = store.readAll(
                            ReadAllOptions.forwards(0, 100).withFilter(EventFilter.excludeSystemEvents()))
                    .events();

            assertThat(all).extracting(RecordedEvent::stream).containsExactly("s", "$$s", "t", "t");
            assertThat(all.get(1).type()).isEqualTo(SystemNames.METADATA_TYPE);
            assertThat(all.get(1).version()).isEqualTo(0);
            assertThat(all.get(3).type()).isEqualTo(SystemNames.STREAM_DELETED_TYPE);
            assertThat(all.get(3).version()).isEqualTo(RecordedEvent.TOMBSTONE_VERSION);
            assertThat(all.get(3).isTombstone()).isTrue();
            assertThat(positions(noSystemStreams)).containsExactly(0L, 2L, 3L);
            assertThat(positions(noSystemEvents)).containsExactly(0L, 2L);
        }

        @Test
        void nextPositionMovesPastEventsTheFilterLeftOut() {
            appendAny("noise", 10);
            appendAny("signal", 1);
            appendAny("noise", 5);
            EventFilter filter = EventFilter.streamNamePrefix("signal");

            ReadAllResult hit = store.readAll(ReadAllOptions.forwards(0, 1).withFilter(filter));
            ReadAllResult rest =
                    store.readAll(ReadAllOptions.forwards(hit.nextPosition(), 1).withFilter(filter));
            ReadAllResult backHit = store.readAll(
                    ReadAllOptions.backwards(ReadAllOptions.END, 1).withFilter(filter));
            ReadAllResult backRest = store.readAll(
                    ReadAllOptions.backwards(backHit.nextPosition(), 1).withFilter(filter));

            assertThat(positions(hit.events())).containsExactly(10L);
            assertThat(hit.nextPosition()).isEqualTo(11);
            assertThat(hit.endOfAll()).isFalse();
            assertThat(rest).isEqualTo(new ReadAllResult(List.of(), 16, true));
            assertThat(positions(backHit.events())).containsExactly(10L);
            assertThat(backHit.nextPosition()).isEqualTo(9);
            assertThat(backHit.endOfAll()).isFalse();
            assertThat(backRest).isEqualTo(new ReadAllResult(List.of(), -1, true));
        }

        @Test
        void allIsNotFilteredByStreamMetadataOrDeletes() {
            appendAny("kept", 5);
            store.setStreamMetadata(
                    "kept", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(1));
            appendAny("soft", 2);
            store.delete("soft", ExpectedVersion.any());
            appendAny("hard", 2);
            store.tombstone("hard", ExpectedVersion.any());
            clock.advance(Duration.ofDays(1));

            List<RecordedEvent> all = readAllForwards(store);

            assertThat(positions(all)).isEqualTo(range(0, 12));
            assertThat(all.stream().filter(e -> e.stream().equals("kept"))).hasSize(5);
            assertThat(all.stream().filter(e -> e.stream().equals("soft"))).hasSize(2);
            assertThat(all.stream().filter(e -> e.stream().equals("hard"))).hasSize(3);
        }
    }

    @Nested
    @DisplayName("stream metadata")
    class Metadata {

        private final StreamMetadata everyField = StreamMetadata.empty()
                .withMaxCount(5)
                .withMaxAge(Duration.ofHours(1))
                .withTruncateBefore(2)
                .withCacheControl(Duration.ofSeconds(30))
                .withAcl(new StreamAcl(
                        List.of("$all"), List.of("alice", "$admins"), List.of("$admins"), List.of("bob"), List.of()))
                .withCustomJson("{\"owner\":\"team-a\",\"tier\":2}");

        @Test
        void unsetMetadataIsEmptyWithVersionMinusOne() {
            appendAny("existing", 2);

            assertThat(store.getStreamMetadata("missing"))
                    .isEqualTo(new StreamMetadataResult("missing", -1, StreamMetadata.empty()));
            assertThat(store.getStreamMetadata("existing"))
                    .isEqualTo(new StreamMetadataResult("existing", -1, StreamMetadata.empty()));
        }

        @Test
        void everyFieldRoundTrips() {
            appendAny("s", 1);

            AppendResult result = store.setStreamMetadata("s", ExpectedVersion.noStream(), everyField);

            assertThat(result).isEqualTo(new AppendResult(0, 1, true));
            assertThat(store.getStreamMetadata("s")).isEqualTo(new StreamMetadataResult("s", 0, everyField));
            RecordedEvent metadataEvent =
                    store.readAll(ReadAllOptions.forwards(1, 1)).events().getFirst();
            assertThat(metadataEvent.stream()).isEqualTo("$$s");
            assertThat(metadataEvent.type()).isEqualTo(SystemNames.METADATA_TYPE);
            assertThat(metadataEvent.contentType()).isEqualTo(ContentType.JSON);
            assertThat(metadataEvent.created()).isEqualTo(clock.instant());
            assertThat(metadataEvent.data())
                    .as("the metadata event holds the codec's JSON")
                    .isEqualTo(StreamMetadataCodec.encode(everyField));
            assertThat(StreamMetadataCodec.decode(metadataEvent.data())).isEqualTo(everyField);
        }

        @Test
        void appendingAMetadataEventToTheMetastreamSetsTheMetadata() {
            appendAny("s", 5);
            StreamMetadata md = StreamMetadata.empty().withMaxCount(2);
            EventData event = metadataEvent(new String(StreamMetadataCodec.encode(md), StandardCharsets.UTF_8));

            AppendResult result = append("$$s", ExpectedVersion.noStream(), List.of(event));

            assertThat(result).isEqualTo(new AppendResult(0, 5, true));
            assertThat(store.getStreamMetadata("s")).isEqualTo(new StreamMetadataResult("s", 0, md));
            assertThat(versions(streamEvents("s"))).containsExactly(3L, 4L);
            assertThat(append("$$s", ExpectedVersion.noStream(), List.of(event)))
                    .as("a retry of the same metadata event")
                    .isEqualTo(new AppendResult(0, 5, false));
        }

        @Test
        void metadataTheFormatCannotHoldIsRejected() {
            appendAny("s", 1);

            assertInvalid(
                    () -> store.setStreamMetadata(
                            "s", ExpectedVersion.any(), StreamMetadata.empty().withCustomJson("not json")),
                    "customJson");
            assertInvalid(
                    () -> store.setStreamMetadata(
                            "s", ExpectedVersion.any(), StreamMetadata.empty().withCustomJson("[1]")),
                    "customJson");
            assertInvalid(
                    () -> store.setStreamMetadata(
                            "s", ExpectedVersion.any(), StreamMetadata.empty().withCustomJson("{\"$maxCount\":3}")),
                    "customJson");
            assertInvalid(
                    () -> store.setStreamMetadata(
                            "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxAge(Duration.ofMillis(1500))),
                    "maxAge");
            assertInvalid(
                    () -> store.setStreamMetadata(
                            "s",
                            ExpectedVersion.exactly(7),
                            StreamMetadata.empty().withCacheControl(Duration.ofMillis(500))),
                    "cacheControl");
            assertThat(store.getStreamMetadata("s").metastreamVersion()).isEqualTo(-1);
        }

        @Test
        void customJsonComesBackCompact() {
            store.setStreamMetadata(
                    "s",
                    ExpectedVersion.any(),
                    StreamMetadata.empty().withCustomJson("{ \"owner\" : \"a\",\n \"n\" : [1, 2] }"));

            assertThat(store.getStreamMetadata("s").metadata().customJson()).isEqualTo("{\"owner\":\"a\",\"n\":[1,2]}");
        }

        @Test
        void settingMetadataReplacesItWhole() {
            store.setStreamMetadata("s", ExpectedVersion.any(), everyField);
            StreamMetadata onlyTruncate = StreamMetadata.empty().withTruncateBefore(1);

            AppendResult second = store.setStreamMetadata("s", ExpectedVersion.any(), onlyTruncate);

            assertThat(second.streamVersion()).isEqualTo(1);
            assertThat(store.getStreamMetadata("s")).isEqualTo(new StreamMetadataResult("s", 1, onlyTruncate));
        }

        @Test
        void theExpectationIsOnTheMetastreamVersion() {
            StreamMetadata md = StreamMetadata.empty().withMaxCount(3);
            appendAny("s", 4);

            assertConflictWritesNothing(
                    () -> store.setStreamMetadata("s", ExpectedVersion.exactly(3), md),
                    "$$s",
                    ExpectedVersion.exactly(3),
                    -1);
            assertConflictWritesNothing(
                    () -> store.setStreamMetadata("s", ExpectedVersion.streamExists(), md),
                    "$$s",
                    ExpectedVersion.streamExists(),
                    -1);
            assertThat(store.setStreamMetadata("s", ExpectedVersion.noStream(), md)
                            .streamVersion())
                    .isEqualTo(0);
            assertConflictWritesNothing(
                    () -> store.setStreamMetadata("s", ExpectedVersion.noStream(), md),
                    "$$s",
                    ExpectedVersion.noStream(),
                    0);
            assertThat(store.setStreamMetadata("s", ExpectedVersion.exactly(0), md)
                            .streamVersion())
                    .isEqualTo(1);
            assertConflictWritesNothing(
                    () -> store.setStreamMetadata("s", ExpectedVersion.exactly(0), md),
                    "$$s",
                    ExpectedVersion.exactly(0),
                    1);
            assertThat(store.setStreamMetadata("s", ExpectedVersion.streamExists(), md)
                            .streamVersion())
                    .isEqualTo(2);
            assertThat(store.getStreamMetadata("s").metastreamVersion()).isEqualTo(2);
        }

        @Test
        void maxCountHidesOlderEventsButNotTheLastVersion() {
            appendAny("s", 10);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(3));

            ReadStreamResult.Found forwards = found("s", 0, Direction.FORWARDS, 100);
            ReadStreamResult.Found firstTwo = found("s", 0, Direction.FORWARDS, 2);
            ReadStreamResult.Found backwards = found("s", Long.MAX_VALUE, Direction.BACKWARDS, 100);
            ReadStreamResult.Found hiddenOnly = found("s", 5, Direction.BACKWARDS, 100);

            assertThat(versions(forwards.events())).containsExactly(7L, 8L, 9L);
            assertThat(forwards.lastStreamVersion()).isEqualTo(9);
            assertThat(forwards.endOfStream()).isTrue();
            assertThat(versions(firstTwo.events())).containsExactly(7L, 8L);
            assertThat(firstTwo.endOfStream()).isFalse();
            assertThat(versions(backwards.events())).containsExactly(9L, 8L, 7L);
            assertThat(backwards.endOfStream()).isTrue();
            assertThat(hiddenOnly).isEqualTo(new ReadStreamResult.Found(List.of(), 9, true));
        }

        @Test
        void maxCountFollowsNewEvents() {
            appendAny("s", 4);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(2));
            appendAny("s", 3);

            assertThat(versions(streamEvents("s"))).containsExactly(5L, 6L);
        }

        @Test
        void maxAgeHidesEventsOlderThanItAtReadTime() {
            appendAny("s", 3);
            clock.advance(Duration.ofSeconds(20));
            appendAny("s", 2);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxAge(Duration.ofSeconds(30)));

            assertThat(versions(streamEvents("s"))).containsExactly(0L, 1L, 2L, 3L, 4L);
            clock.advance(Duration.ofSeconds(10));
            assertThat(versions(streamEvents("s")))
                    .as("an event exactly maxAge old is still visible")
                    .containsExactly(0L, 1L, 2L, 3L, 4L);
            clock.advance(Duration.ofSeconds(1));
            assertThat(versions(streamEvents("s"))).containsExactly(3L, 4L);
            clock.advance(Duration.ofSeconds(20));
            assertThat(found("s", 0, Direction.FORWARDS, 10)).isEqualTo(new ReadStreamResult.Found(List.of(), 4, true));
            assertThat(found("s", Long.MAX_VALUE, Direction.BACKWARDS, 10))
                    .isEqualTo(new ReadStreamResult.Found(List.of(), 4, true));
        }

        @Test
        void aBackwardsPageThatStopsAtTheMaxAgeCutReachesTheEnd() {
            appendAny("s", 2);
            clock.advance(Duration.ofMinutes(1));
            appendAny("s", 2);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxAge(Duration.ofSeconds(30)));

            ReadStreamResult.Found page = found("s", 3, Direction.BACKWARDS, 2);
            assertThat(versions(page.events())).containsExactly(3L, 2L);
            assertThat(page.endOfStream())
                    .as("every older event has expired, so nothing further is readable")
                    .isTrue();
            assertThat(found("s", 3, Direction.BACKWARDS, 1).endOfStream()).isFalse();
        }

        @Test
        void creationTimesNeverGoBackwardsWhenTheClockDoes() {
            appendAny("s", 1);
            Instant first = clock.instant();
            clock.advance(Duration.ofSeconds(-10));
            appendAny("s", 1);

            List<RecordedEvent> events = streamEvents("s");
            assertThat(events.get(1).created())
                    .as("an event is never older than the one written before it")
                    .isEqualTo(first);
        }

        @Test
        void truncateBeforeHidesLowerVersions() {
            appendAny("s", 10);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withTruncateBefore(4));

            assertThat(versions(streamEvents("s"))).isEqualTo(range(4, 10));
            assertThat(versions(
                            found("s", Long.MAX_VALUE, Direction.BACKWARDS, 3).events()))
                    .containsExactly(9L, 8L, 7L);
            assertThat(found("s", 3, Direction.BACKWARDS, 10))
                    .isEqualTo(new ReadStreamResult.Found(List.of(), 9, true));
        }

        @Test
        void truncateBeforeBeyondTheEndHidesEverythingUntilNewEventsReachIt() {
            appendAny("s", 3);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withTruncateBefore(5));

            assertThat(found("s", 0, Direction.FORWARDS, 10)).isEqualTo(new ReadStreamResult.Found(List.of(), 2, true));
            appendAny("s", 4);
            assertThat(versions(streamEvents("s"))).containsExactly(5L, 6L);
        }

        @Test
        void maxCountTruncateBeforeAndMaxAgeCombine() {
            appendAny("s", 5);
            clock.advance(Duration.ofMinutes(2));
            appendAny("s", 5);
            store.setStreamMetadata(
                    "s",
                    ExpectedVersion.any(),
                    StreamMetadata.empty().withTruncateBefore(2).withMaxCount(7).withMaxAge(Duration.ofMinutes(1)));

            assertThat(versions(streamEvents("s"))).containsExactly(5L, 6L, 7L, 8L, 9L);
            store.setStreamMetadata(
                    "s",
                    ExpectedVersion.any(),
                    StreamMetadata.empty().withTruncateBefore(2).withMaxCount(7));
            assertThat(versions(streamEvents("s"))).isEqualTo(range(3, 10));
        }

        @Test
        void readsHonourTheMetadataCurrentAtReadTime() {
            appendAny("s", 8);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(2));
            assertThat(streamEvents("s")).hasSize(2);

            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
            assertThat(versions(streamEvents("s"))).isEqualTo(range(3, 8));

            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withTruncateBefore(6));
            assertThat(versions(streamEvents("s"))).containsExactly(6L, 7L);

            store.setStreamMetadata("s", ExpectedVersion.any(), StreamMetadata.empty());
            assertThat(versions(streamEvents("s"))).isEqualTo(range(0, 8));
        }

        @Test
        void metadataMayBeSetBeforeTheFirstEvent() {
            store.setStreamMetadata(
                    "s", ExpectedVersion.noStream(), StreamMetadata.empty().withMaxCount(2));

            assertNotFound("s");
            appendAny("s", 5);
            assertThat(versions(streamEvents("s"))).containsExactly(3L, 4L);
        }

        @Test
        void metadataBelongsToOneStreamOnly() {
            appendAny("a", 5);
            appendAny("ab", 5);
            appendAny("a-1", 5);

            store.setStreamMetadata(
                    "a", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(1));

            assertThat(streamEvents("a")).hasSize(1);
            assertThat(streamEvents("ab")).hasSize(5);
            assertThat(streamEvents("a-1")).hasSize(5);
            assertThat(store.getStreamMetadata("ab").metastreamVersion()).isEqualTo(-1);
        }
    }

    @Nested
    @DisplayName("soft delete")
    class SoftDelete {

        @Test
        void aDeletedStreamIsNotFoundAndItsMetadataSaysDeleted() {
            appendAny("s", 3);

            DeleteResult result = store.delete("s", ExpectedVersion.any());

            assertNotFound("s");
            assertThat(result.position()).isEqualTo(3);
            assertThat(store.headPosition()).isEqualTo(3);
            StreamMetadataResult md = store.getStreamMetadata("s");
            assertThat(md.metastreamVersion()).isEqualTo(0);
            assertThat(md.metadata().truncateBefore()).hasValue(StreamMetadata.DELETED);
            assertThat(md.metadata().isSoftDeleted()).isTrue();
            RecordedEvent marker = store.readAll(ReadAllOptions.backwards(ReadAllOptions.END, 1))
                    .events()
                    .getFirst();
            assertThat(marker.stream()).isEqualTo("$$s");
            assertThat(marker.type()).isEqualTo(SystemNames.METADATA_TYPE);
            assertThat(marker.position()).isEqualTo(result.position());
            assertThat(StreamMetadataCodec.decode(marker.data()).isSoftDeleted())
                    .isTrue();
        }

        @Test
        void aDeleteKeepsTheOtherMetadata() {
            appendAny("s", 3);
            StreamMetadata md = StreamMetadata.empty().withMaxCount(10).withCustomJson("{\"owner\":\"x\"}");
            store.setStreamMetadata("s", ExpectedVersion.any(), md);

            store.delete("s", ExpectedVersion.exactly(2));

            assertThat(store.getStreamMetadata("s"))
                    .isEqualTo(new StreamMetadataResult("s", 1, md.withTruncateBefore(StreamMetadata.DELETED)));
        }

        @Test
        void anAppendWithNoStreamContinuesTheVersionsAndShowsOnlyNewEvents() {
            appendAny("s", 3);
            store.delete("s", ExpectedVersion.any());
            List<EventData> fresh = events(2);

            AppendResult result = append("s", ExpectedVersion.noStream(), fresh);

            assertThat(result.streamVersion()).isEqualTo(4);
            assertThat(result.written()).isTrue();
            ReadStreamResult.Found read = found("s", 0, Direction.FORWARDS, 100);
            assertThat(versions(read.events())).containsExactly(3L, 4L);
            assertThat(ids(read.events())).isEqualTo(ids(fresh));
            assertThat(read.lastStreamVersion()).isEqualTo(4);
            assertThat(versions(
                            found("s", Long.MAX_VALUE, Direction.BACKWARDS, 100).events()))
                    .containsExactly(4L, 3L);
        }

        @Test
        void theFirstAppendAfterADeleteRewritesTheMetadataBeforeItsEvents() {
            appendAny("s", 3);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(10));
            store.delete("s", ExpectedVersion.any());

            AppendResult result = append("s", ExpectedVersion.any(), events(2));

            assertThat(result.position()).isEqualTo(7);
            assertThat(store.getStreamMetadata("s"))
                    .isEqualTo(new StreamMetadataResult(
                            "s", 2, StreamMetadata.empty().withMaxCount(10).withTruncateBefore(3)));
            List<RecordedEvent> all = readAllForwards(store);
            assertThat(all)
                    .extracting(RecordedEvent::stream)
                    .containsExactly("s", "s", "s", "$$s", "$$s", "$$s", "s", "s");
            assertThat(all.get(5).version()).isEqualTo(2);
            assertThat(append("s", ExpectedVersion.any(), events(1)).position())
                    .as("only the first append after a delete rewrites the metadata")
                    .isEqualTo(8);
        }

        @Test
        void anAppendWithAnyOrTheOldLastVersionAlsoContinues() {
            appendAny("a", 3);
            appendAny("b", 3);
            store.delete("a", ExpectedVersion.any());
            store.delete("b", ExpectedVersion.any());

            assertThat(append("a", ExpectedVersion.any(), events(1)).streamVersion())
                    .isEqualTo(3);
            assertThat(append("b", ExpectedVersion.exactly(2), events(1)).streamVersion())
                    .isEqualTo(3);
            assertThat(versions(streamEvents("a"))).containsExactly(3L);
            assertThat(versions(streamEvents("b"))).containsExactly(3L);
        }

        @Test
        void streamExistsOnADeletedStreamConflicts() {
            appendAny("s", 3);
            store.delete("s", ExpectedVersion.any());

            assertConflictWritesNothing(
                    () -> append("s", ExpectedVersion.streamExists(), events(1)),
                    "s",
                    ExpectedVersion.streamExists(),
                    2);
            assertConflictWritesNothing(
                    () -> append("s", ExpectedVersion.exactly(1), events(1)), "s", ExpectedVersion.exactly(1), 2);
            assertNotFound("s");
        }

        @Test
        void deleteWithAWrongExpectedVersionConflicts() {
            appendAny("s", 3);

            assertConflictWritesNothing(
                    () -> store.delete("s", ExpectedVersion.exactly(5)), "s", ExpectedVersion.exactly(5), 2);
            assertConflictWritesNothing(
                    () -> store.delete("s", ExpectedVersion.noStream()), "s", ExpectedVersion.noStream(), 2);
            assertThat(streamEvents("s")).hasSize(3);
            assertThat(store.getStreamMetadata("s").metastreamVersion()).isEqualTo(-1);
        }

        @Test
        void deleteWithTheCurrentVersionOrStreamExistsSucceeds() {
            appendAny("a", 3);
            appendAny("b", 1);

            store.delete("a", ExpectedVersion.exactly(2));
            store.delete("b", ExpectedVersion.streamExists());

            assertNotFound("a");
            assertNotFound("b");
        }

        @Test
        void aStreamNeverWrittenMayBeDeletedAndThenWrittenFromVersionZero() {
            DeleteResult withAny = store.delete("a", ExpectedVersion.any());
            DeleteResult withNoStream = store.delete("b", ExpectedVersion.noStream());
            assertConflictWritesNothing(
                    () -> store.delete("c", ExpectedVersion.streamExists()), "c", ExpectedVersion.streamExists(), -1);
            assertConflictWritesNothing(
                    () -> store.delete("c", ExpectedVersion.exactly(0)), "c", ExpectedVersion.exactly(0), -1);

            assertThat(withAny.position()).isEqualTo(0);
            assertThat(withNoStream.position()).isEqualTo(1);
            assertNotFound("a");
            assertThat(store.getStreamMetadata("a").metadata().isSoftDeleted()).isTrue();
            assertThat(append("a", ExpectedVersion.noStream(), events(2)).streamVersion())
                    .isEqualTo(1);
            assertThat(versions(streamEvents("a"))).containsExactly(0L, 1L);
        }

        @Test
        void aDeletedStreamMayBeDeletedAgain() {
            appendAny("s", 2);
            store.delete("s", ExpectedVersion.any());

            DeleteResult again = store.delete("s", ExpectedVersion.noStream());

            assertThat(again.position()).isEqualTo(3);
            assertThat(store.getStreamMetadata("s").metastreamVersion()).isEqualTo(1);
            assertNotFound("s");
        }

        @Test
        void aDeletedStreamCanBeDeletedAgainAfterNewEvents() {
            appendAny("s", 2);
            store.delete("s", ExpectedVersion.any());
            appendAny("s", 2);

            store.delete("s", ExpectedVersion.exactly(3));

            assertNotFound("s");
            appendAny("s", 1);
            assertThat(versions(streamEvents("s"))).containsExactly(4L);
        }

        @Test
        void replacingTheMetadataUndoesASoftDelete() {
            appendAny("s", 3);
            store.delete("s", ExpectedVersion.any());

            store.setStreamMetadata("s", ExpectedVersion.exactly(0), StreamMetadata.empty());

            assertThat(versions(streamEvents("s"))).containsExactly(0L, 1L, 2L);
        }

        @Test
        void idempotentRetryOfAnOldBatchDoesNotUndelete() {
            List<EventData> batch = events(2);
            append("s", ExpectedVersion.noStream(), batch);
            appendAny("s", 1);
            store.delete("s", ExpectedVersion.any());

            assertThat(append("s", ExpectedVersion.exactly(-1 + 1), List.of(batch.get(1))))
                    .isEqualTo(new AppendResult(1, 1, false));
            assertNotFound("s");
        }
    }

    @Nested
    @DisplayName("tombstone (hard delete)")
    class Tombstone {

        @Test
        void readsOfATombstonedStreamFail() {
            appendAny("s", 3);

            store.tombstone("s", ExpectedVersion.any());

            assertStreamDeleted(() -> store.readStream("s", 0, Direction.FORWARDS, 10), "s");
            assertStreamDeleted(() -> store.readStream("s", Long.MAX_VALUE, Direction.BACKWARDS, 10), "s");
            assertStreamDeleted(() -> store.getStreamMetadata("s"), "s");
            assertStreamDeleted(
                    () -> store.subscribeToStream("s", SubscribeFrom.start(), new RecordingListener()), "s");
        }

        @Test
        void appendsWithEveryExpectationFail() {
            appendAny("s", 3);
            store.tombstone("s", ExpectedVersion.exactly(2));
            long head = store.headPosition();

            for (ExpectedVersion expected : List.of(
                    ExpectedVersion.any(),
                    ExpectedVersion.noStream(),
                    ExpectedVersion.streamExists(),
                    ExpectedVersion.exactly(2),
                    ExpectedVersion.exactly(3))) {
                assertStreamDeleted(() -> append("s", expected, events(1)), "s");
                assertStreamDeleted(() -> append("s", expected, List.of()), "s");
            }
            assertStreamDeleted(
                    () -> store.appendMulti(List.of(
                            new StreamAppend("other", ExpectedVersion.any(), events(1)),
                            new StreamAppend("s", ExpectedVersion.any(), events(1)))),
                    "s");
            assertThat(store.headPosition()).isEqualTo(head);
            assertNotFound("other");
        }

        @Test
        void theTombstoneIsARecordInAll() {
            appendAny("s", 3);
            clock.advance(Duration.ofSeconds(5));

            DeleteResult result = store.tombstone("s", ExpectedVersion.any());

            assertThat(result.position()).isEqualTo(3);
            assertThat(store.headPosition()).isEqualTo(3);
            RecordedEvent tombstone =
                    store.readAll(ReadAllOptions.forwards(3, 10)).events().getFirst();
            assertThat(tombstone.stream()).isEqualTo("s");
            assertThat(tombstone.type()).isEqualTo(SystemNames.STREAM_DELETED_TYPE);
            assertThat(tombstone.version()).isEqualTo(RecordedEvent.TOMBSTONE_VERSION);
            assertThat(tombstone.isTombstone()).isTrue();
            assertThat(tombstone.position()).isEqualTo(3);
            assertThat(tombstone.created()).isEqualTo(clock.instant());
        }

        @Test
        void tombstoningTwiceFails() {
            appendAny("s", 1);
            store.tombstone("s", ExpectedVersion.any());
            long head = store.headPosition();

            assertStreamDeleted(() -> store.tombstone("s", ExpectedVersion.any()), "s");
            assertThat(store.headPosition()).isEqualTo(head);
        }

        @Test
        void metadataAndSoftDeletesOfATombstonedStreamFail() {
            appendAny("s", 1);
            store.tombstone("s", ExpectedVersion.any());
            long head = store.headPosition();

            assertStreamDeleted(
                    () -> store.setStreamMetadata(
                            "s", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(1)),
                    "s");
            assertStreamDeleted(() -> store.delete("s", ExpectedVersion.any()), "s");
            assertStreamDeleted(
                    () -> append("$$s", ExpectedVersion.any(), List.of(metadataEvent("{\"$maxCount\":1}"))), "s");
            assertThat(store.headPosition()).isEqualTo(head);
        }

        @Test
        void tombstoneWithAWrongExpectedVersionConflictsAndLeavesTheStreamWritable() {
            appendAny("s", 2);

            assertConflictWritesNothing(
                    () -> store.tombstone("s", ExpectedVersion.exactly(0)), "s", ExpectedVersion.exactly(0), 1);
            assertConflictWritesNothing(
                    () -> store.tombstone("s", ExpectedVersion.noStream()), "s", ExpectedVersion.noStream(), 1);
            assertThat(appendAny("s", 1).streamVersion()).isEqualTo(2);
        }

        @Test
        void aStreamNeverWrittenOrSoftDeletedMayBeTombstoned() {
            appendAny("soft", 2);
            store.delete("soft", ExpectedVersion.any());

            store.tombstone("never", ExpectedVersion.noStream());
            store.tombstone("soft", ExpectedVersion.noStream());

            assertStreamDeleted(() -> appendAny("never", 1), "never");
            assertStreamDeleted(() -> store.readStream("soft", 0, Direction.FORWARDS, 1), "soft");
        }

        @Test
        void theEventsOfATombstonedStreamStayInAll() {
            appendAny("s", 3);
            appendAny("t", 1);
            store.tombstone("s", ExpectedVersion.any());

            assertThat(readAllForwards(store))
                    .extracting(RecordedEvent::stream)
                    .containsExactly("s", "s", "s", "t", "s");
        }
    }

    @Nested
    @DisplayName("subscriptions")
    class Subscriptions {

        private final List<Subscription> opened = new ArrayList<>();

        @AfterEach
        void closeSubscriptions() {
            opened.forEach(Subscription::close);
        }

        private RecordingListener toStream(String stream, SubscribeFrom from) {
            RecordingListener listener = new RecordingListener();
            opened.add(store.subscribeToStream(stream, from, listener));
            return listener;
        }

        private RecordingListener toAll(SubscribeAllOptions options) {
            RecordingListener listener = new RecordingListener();
            opened.add(store.subscribeToAll(options, listener));
            return listener;
        }

        @Test
        void aStreamSubscriptionFromTheStartDeliversHistoryThenLiveEvents() throws Exception {
            appendAny("s", 5);
            appendAny("other", 2);

            RecordingListener listener = toStream("s", SubscribeFrom.start());
            listener.awaitCaughtUp(AWAIT);
            appendAny("other", 1);
            appendAny("s", 3);
            List<RecordedEvent> received = listener.awaitEvents(8, AWAIT);

            assertThat(listener.eventsBeforeFirstCaughtUp()).hasValue(5);
            assertThat(received).isEqualTo(streamEvents("s"));
            assertThat(versions(received)).isEqualTo(range(0, 8));
            assertWellBehaved(listener);
        }

        @Test
        void aStreamSubscriptionAfterAVersionStartsWithTheNextOne() throws Exception {
            appendAny("s", 5);

            RecordingListener listener = toStream("s", SubscribeFrom.after(2));
            listener.awaitCaughtUp(AWAIT);
            appendAny("s", 1);

            assertThat(versions(listener.awaitEvents(3, AWAIT))).containsExactly(3L, 4L, 5L);
            assertThat(listener.eventsBeforeFirstCaughtUp()).hasValue(2);
        }

        @Test
        void aStreamSubscriptionFromTheEndDeliversOnlyNewEvents() throws Exception {
            appendAny("s", 5);

            RecordingListener listener = toStream("s", SubscribeFrom.end());
            listener.awaitCaughtUp(AWAIT);
            appendAny("s", 2);

            assertThat(versions(listener.awaitEvents(2, AWAIT))).containsExactly(5L, 6L);
            assertThat(listener.eventsBeforeFirstCaughtUp()).hasValue(0);
        }

        @Test
        void aStreamSubscriptionWaitsForAStreamThatDoesNotExistYet() throws Exception {
            RecordingListener fromStart = toStream("later", SubscribeFrom.start());
            RecordingListener fromEnd = toStream("later", SubscribeFrom.end());
            RecordingListener afterOne = toStream("later", SubscribeFrom.after(1));
            fromStart.awaitCaughtUp(AWAIT);
            appendAny("other", 2);
            appendAny("later", 4);

            assertThat(versions(fromStart.awaitEvents(4, AWAIT))).isEqualTo(range(0, 4));
            assertThat(versions(fromEnd.awaitEvents(4, AWAIT))).isEqualTo(range(0, 4));
            assertThat(versions(afterOne.awaitEvents(2, AWAIT))).containsExactly(2L, 3L);
        }

        @Test
        void anAllSubscriptionDeliversEveryRecordFromTheStartAfterOrEnd() throws Exception {
            appendAny("a", 2);
            store.setStreamMetadata(
                    "a", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(1));
            appendAny("b", 1);

            RecordingListener fromStart = toAll(SubscribeAllOptions.from(SubscribeFrom.start()));
            RecordingListener afterOne = toAll(SubscribeAllOptions.from(SubscribeFrom.after(1)));
            RecordingListener fromEnd = toAll(SubscribeAllOptions.from(SubscribeFrom.end()));
            RecordingListener beyondHead = toAll(SubscribeAllOptions.from(SubscribeFrom.after(5)));
            fromEnd.awaitCaughtUp(AWAIT);
            store.tombstone("b", ExpectedVersion.any());
            appendAny("c", 3);
            List<RecordedEvent> all = readAllForwards(store);

            assertThat(fromStart.awaitEvents(8, AWAIT)).isEqualTo(all);
            assertThat(positions(afterOne.awaitEvents(6, AWAIT))).isEqualTo(range(2, 8));
            assertThat(positions(fromEnd.awaitEvents(4, AWAIT))).isEqualTo(range(4, 8));
            assertThat(positions(beyondHead.awaitEvents(2, AWAIT))).containsExactly(6L, 7L);
            assertThat(fromStart.events().get(2).stream()).isEqualTo("$$a");
            assertThat(fromStart.events().get(4).isTombstone()).isTrue();
            assertThat(fromEnd.eventsBeforeFirstCaughtUp()).hasValue(0);
        }

        @Test
        void catchUpRacingAWriterHasNoGapAndNoDuplicate() throws Exception {
            int appends = 300;
            int perAppend = 5;
            CountDownLatch writing = new CountDownLatch(1);
            RecordingListener[] listeners = new RecordingListener[2];
            List<Object> done = TckSupport.runConcurrently(2, worker -> {
                if (worker == 0) {
                    for (int i = 0; i < appends; i++) {
                        appendAny("race", perAppend);
                        if (i == appends / 10) {
                            writing.countDown();
                        }
                    }
                } else {
                    assertThat(writing.await(AWAIT.toSeconds(), TimeUnit.SECONDS))
                            .isTrue();
                    listeners[0] = toStream("race", SubscribeFrom.start());
                    listeners[1] = toAll(SubscribeAllOptions.from(SubscribeFrom.start()));
                }
                return worker;
            });
            assertThat(done).hasSize(2);
            appendAny("race", 1);
            int total = appends * perAppend + 1;

            List<RecordedEvent> stream = listeners[0].awaitEvents(total, AWAIT);
            List<RecordedEvent> all = listeners[1].awaitEvents(total, AWAIT);

            assertThat(versions(stream)).isEqualTo(range(0, total));
            assertThat(positions(all)).isEqualTo(range(0, total));
            assertThat(ids(stream)).isEqualTo(ids(readStreamForwards(store, "race")));
            assertWellBehaved(listeners[0]);
            assertWellBehaved(listeners[1]);
        }

        @Test
        void closeStopsDeliveriesAndReportsNoError() throws Exception {
            appendAny("s", 3);
            RecordingListener listener = new RecordingListener();
            Subscription subscription = store.subscribeToStream("s", SubscribeFrom.start(), listener);
            listener.awaitEvents(3, AWAIT);

            subscription.close();
            listener.markClosedByTest();

            assertThat(listener.stoppedCount())
                    .as("onStopped before close() returned")
                    .isEqualTo(1);
            assertThat(listener.stoppedWith()).isEmpty();
            subscription.close();
            appendAny("s", 5);
            toStream("s", SubscribeFrom.start()).awaitEvents(8, AWAIT);
            assertThat(listener.events()).hasSize(3);
            assertThat(listener.stoppedCount()).isEqualTo(1);
            assertWellBehaved(listener);
        }

        @Test
        void noEventIsDeliveredAfterCloseReturnsEvenWhileEventsFlow() throws Exception {
            AtomicBoolean stop = new AtomicBoolean();
            RecordingListener listener = new RecordingListener((subscription, event) -> LockSupport.parkNanos(200_000));
            Subscription subscription = store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), listener);
            List<Integer> written = TckSupport.runConcurrently(2, worker -> {
                if (worker == 0) {
                    int appends = 0;
                    while (!stop.get() && appends < 2_000) {
                        appendAny("flow", 3);
                        appends++;
                    }
                    return appends;
                }
                listener.awaitEvents(50, AWAIT);
                subscription.close();
                listener.markClosedByTest();
                stop.set(true);
                return 0;
            });

            int atClose = listener.events().size();
            appendAny("flow", 1);
            toAll(SubscribeAllOptions.from(SubscribeFrom.start())).awaitEvents(written.getFirst() * 3 + 1, AWAIT);
            assertThat(listener.events()).hasSize(atClose);
            assertThat(positions(listener.events())).isEqualTo(range(0, atClose));
            assertThat(listener.stoppedWith()).isEmpty();
            assertWellBehaved(listener);
        }

        @Test
        void aListenerMayCloseItsOwnSubscription() throws Exception {
            appendAny("s", 5);
            RecordingListener listener = new RecordingListener((subscription, event) -> {
                if (event.version() == 1) {
                    subscription.close();
                }
            });
            store.subscribeToStream("s", SubscribeFrom.start(), listener);

            assertThat(listener.awaitStopped(AWAIT)).isEmpty();
            appendAny("s", 1);
            toStream("s", SubscribeFrom.start()).awaitEvents(6, AWAIT);
            assertThat(versions(listener.events())).containsExactly(0L, 1L);
            assertThat(listener.stoppedCount()).isEqualTo(1);
            assertWellBehaved(listener);
        }

        @Test
        void aListenerThatThrowsStopsTheSubscriptionWithItsError() throws Exception {
            appendAny("s", 5);
            IllegalStateException boom = new IllegalStateException("listener failed on purpose");
            RecordingListener listener = new RecordingListener((subscription, event) -> {
                if (event.version() == 2) {
                    throw boom;
                }
            });
            opened.add(store.subscribeToStream("s", SubscribeFrom.start(), listener));

            assertThat(listener.awaitStopped(AWAIT)).containsSame(boom);
            appendAny("s", 1);
            toStream("s", SubscribeFrom.start()).awaitEvents(6, AWAIT);
            assertThat(versions(listener.events())).containsExactly(0L, 1L);
            assertThat(listener.stoppedCount()).isEqualTo(1);
            assertWellBehaved(listener);
        }

        @Test
        void aFilteredAllSubscriptionDeliversOnlyMatchesWithConsistentCheckpoints() throws Exception {
            int interval = 5;
            EventFilter filter = EventFilter.streamNamePrefix("hit-");
            writeHitsAndMisses(0, 60);
            RecordingListener listener = toAll(SubscribeAllOptions.from(SubscribeFrom.start())
                    .withFilter(filter)
                    .withCheckpointInterval(interval));
            listener.awaitCaughtUp(AWAIT);
            writeHitsAndMisses(60, 120);
            appendAny("hit-end", 1);

            listener.awaitMark(
                    "the last event",
                    m -> m instanceof RecordingListener.Mark.Event e
                            && e.event().stream().equals("hit-end"),
                    AWAIT);

            List<RecordedEvent> all = readAllForwards(store);
            assertThat(listener.events())
                    .isEqualTo(all.stream().filter(filter::matches).toList());
            assertThat(listener.checkpoints()).isNotEmpty().isSorted().doesNotHaveDuplicates();
            assertCheckpointsConsistent(listener.marks(), all, filter, interval);
            assertWellBehaved(listener);
        }

        private void writeHitsAndMisses(int from, int to) {
            for (int i = from; i < to; i++) {
                appendAny(i % 7 == 0 ? "hit-" + i : "miss-" + i, 1);
            }
        }

        /**
         * Every checkpoint c promises that every match below c was delivered before it; between two
         * marks (an event delivered, a checkpoint) at most {@code interval} records were examined
         * without a match.
         */
        private static void assertCheckpointsConsistent(
                List<RecordingListener.Mark> marks, List<RecordedEvent> all, EventFilter filter, int interval) {
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
                List<RecordedEvent> between = all.stream()
                        .filter(r -> r.position() >= from && r.position() < next)
                        .toList();
                assertThat(between).as("matches skipped before %s", m).noneMatch(filter::matches);
                assertThat(between)
                        .as("records examined without a mark before %s", m)
                        .hasSizeLessThanOrEqualTo(interval);
                mark = m instanceof RecordingListener.Mark.Event ? next + 1 : next;
            }
        }

        @Test
        void aSlowSubscriberReceivesEveryEventInOrder() throws Exception {
            int appends = 150;
            int perAppend = LIMITS.maxEventsPerAppend();
            RecordingListener slow = new RecordingListener((subscription, event) -> LockSupport.parkNanos(100_000));
            opened.add(store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), slow));
            RecordingListener slowStream =
                    new RecordingListener((subscription, event) -> LockSupport.parkNanos(100_000));
            opened.add(store.subscribeToStream("slow-0", SubscribeFrom.start(), slowStream));

            TckSupport.runConcurrently(2, worker -> {
                for (int i = worker; i < appends; i += 2) {
                    appendAny("slow-" + (i % 3), perAppend);
                }
                return worker;
            });
            int total = appends * perAppend;

            assertThat(positions(slow.awaitEvents(total, AWAIT))).isEqualTo(range(0, total));
            List<RecordedEvent> stream = readStreamForwards(store, "slow-0");
            assertThat(slowStream.awaitEvents(stream.size(), AWAIT)).isEqualTo(stream);
            assertWellBehaved(slow);
            assertWellBehaved(slowStream);
        }

        @Test
        void manySubscribersEachReceiveEverything() throws Exception {
            List<RecordingListener> allListeners = new ArrayList<>();
            List<RecordingListener> streamListeners = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                allListeners.add(toAll(SubscribeAllOptions.from(SubscribeFrom.start())));
                streamListeners.add(toStream("hot", SubscribeFrom.start()));
            }
            TckSupport.runConcurrently(3, worker -> {
                for (int i = 0; i < 100; i++) {
                    appendAny(worker == 0 ? "cold" : "hot", 3);
                }
                return worker;
            });
            List<RecordedEvent> all = readAllForwards(store);
            List<RecordedEvent> hot = readStreamForwards(store, "hot");

            for (RecordingListener listener : allListeners) {
                assertThat(listener.awaitEvents(all.size(), AWAIT)).isEqualTo(all);
                assertWellBehaved(listener);
            }
            for (RecordingListener listener : streamListeners) {
                assertThat(listener.awaitEvents(hot.size(), AWAIT)).isEqualTo(hot);
                assertWellBehaved(listener);
            }
        }

        @Test
        void eventsHiddenByMetadataAreSkipped() throws Exception {
            appendAny("s", 10);
            store.setStreamMetadata(
                    "s", ExpectedVersion.any(), StreamMetadata.empty().withTruncateBefore(5));
            appendAny("deleted", 3);
            store.delete("deleted", ExpectedVersion.any());
            appendAny("aged", 3);
            clock.advance(Duration.ofMinutes(5));
            appendAny("aged", 1);
            store.setStreamMetadata(
                    "aged", ExpectedVersion.any(), StreamMetadata.empty().withMaxAge(Duration.ofMinutes(1)));

            RecordingListener truncated = toStream("s", SubscribeFrom.start());
            RecordingListener softDeleted = toStream("deleted", SubscribeFrom.start());
            RecordingListener aged = toStream("aged", SubscribeFrom.start());
            truncated.awaitCaughtUp(AWAIT);
            softDeleted.awaitCaughtUp(AWAIT);
            aged.awaitCaughtUp(AWAIT);
            appendAny("s", 2);
            appendAny("deleted", 2);
            appendAny("aged", 1);

            assertThat(versions(truncated.awaitEvents(7, AWAIT))).isEqualTo(range(5, 12));
            assertThat(versions(softDeleted.awaitEvents(2, AWAIT))).containsExactly(3L, 4L);
            assertThat(softDeleted.eventsBeforeFirstCaughtUp()).hasValue(0);
            assertThat(versions(aged.awaitEvents(2, AWAIT))).containsExactly(3L, 4L);
            assertThat(aged.eventsBeforeFirstCaughtUp()).hasValue(1);
        }

        @Test
        void aTombstoneStopsAStreamSubscriptionWithStreamDeleted() throws Exception {
            appendAny("s", 2);
            RecordingListener listener = toStream("s", SubscribeFrom.start());
            listener.awaitEvents(2, AWAIT);

            store.tombstone("s", ExpectedVersion.any());

            assertThat(listener.awaitStopped(AWAIT))
                    .get()
                    .isInstanceOfSatisfying(StreamDeletedException.class, e -> assertThat(e.stream())
                            .isEqualTo("s"));
            assertThat(listener.events()).hasSize(2);
            assertWellBehaved(listener);
        }

        @Test
        void closingTheStoreStopsSubscriptionsWithStoreClosed() throws Exception {
            appendAny("s", 2);
            RecordingListener onStream = toStream("s", SubscribeFrom.start());
            RecordingListener onAll = toAll(SubscribeAllOptions.from(SubscribeFrom.start()));
            onStream.awaitCaughtUp(AWAIT);
            onAll.awaitCaughtUp(AWAIT);

            store.close();

            assertThat(onStream.awaitStopped(AWAIT)).get().isInstanceOf(StoreClosedException.class);
            assertThat(onAll.awaitStopped(AWAIT)).get().isInstanceOf(StoreClosedException.class);
            assertWellBehaved(onStream);
            assertWellBehaved(onAll);
        }

        @Test
        void subscriptionIdsAreUnique() {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Subscription subscription =
                        store.subscribeToStream("s-" + i, SubscribeFrom.start(), new RecordingListener());
                opened.add(subscription);
                ids.add(subscription.id());
                subscription =
                        store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.end()), new RecordingListener());
                opened.add(subscription);
                ids.add(subscription.id());
            }
            assertThat(ids).hasSize(10).allSatisfy(id -> assertThat(id).isNotBlank());
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {

        /** One acknowledged event: where the store said it put it. */
        record Ack(String stream, long version, long position, UUID eventId) {}

        private List<Ack> acks(String stream, AppendResult result, List<EventData> batch) {
            List<Ack> acks = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                long back = batch.size() - 1L - i;
                acks.add(new Ack(
                        stream,
                        result.streamVersion() - back,
                        result.position() - back,
                        batch.get(i).eventId()));
            }
            return acks;
        }

        /** Every acknowledged event is in {@code $all} where it was acknowledged; positions are dense. */
        private void assertAcknowledgedEventsStored(List<Ack> acks) {
            List<RecordedEvent> all = readAllForwards(store);
            assertThat(positions(all)).isEqualTo(range(0, all.size()));
            for (Ack ack : acks) {
                RecordedEvent stored = all.get((int) ack.position());
                assertThat(new Ack(stored.stream(), stored.version(), stored.position(), stored.eventId()))
                        .isEqualTo(ack);
            }
            Map<String, Long> nextVersion = new HashMap<>();
            for (RecordedEvent e : all) {
                long expected = nextVersion.getOrDefault(e.stream(), 0L);
                assertThat(e.version()).as("version of %s in %s", e, e.stream()).isEqualTo(expected);
                nextVersion.put(e.stream(), expected + 1);
            }
        }

        @Test
        void writersRacingOnOneStreamGetOneWinnerPerVersion() throws Exception {
            int writers = 4;
            int perWriter = 25;
            List<List<Ack>> results = TckSupport.runConcurrently(writers, worker -> {
                List<Ack> mine = new ArrayList<>();
                while (mine.size() < perWriter && !Thread.currentThread().isInterrupted()) {
                    ExpectedVersion expected =
                            switch (store.readStream("contended", Long.MAX_VALUE, Direction.BACKWARDS, 1)) {
                                case ReadStreamResult.Found f -> ExpectedVersion.exactly(f.lastStreamVersion());
                                case ReadStreamResult.NotFound n -> ExpectedVersion.noStream();
                            };
                    List<EventData> batch = List.of(event("Took", worker));
                    try {
                        AppendResult result = store.append("contended", expected, batch);
                        assertThat(result.written()).isTrue();
                        mine.addAll(acks("contended", result, batch));
                    } catch (WrongExpectedVersionException lostTheRace) {
                        assertThat(lostTheRace.actualVersion()).isGreaterThanOrEqualTo(0);
                    }
                }
                return mine;
            });
            List<Ack> acks = results.stream().flatMap(List::stream).toList();

            assertThat(acks.stream().map(Ack::version).sorted().toList()).isEqualTo(range(0, writers * perWriter));
            ReadStreamResult.Found last = found("contended", Long.MAX_VALUE, Direction.BACKWARDS, 1);
            assertThat(last.lastStreamVersion()).isEqualTo(writers * perWriter - 1);
            assertAcknowledgedEventsStored(acks);
        }

        @Test
        void writersOnDifferentStreamsFillEveryPositionOnce() throws Exception {
            int writers = 4;
            int appends = 100;
            List<List<Ack>> results = TckSupport.runConcurrently(writers, worker -> {
                List<Ack> mine = new ArrayList<>();
                String stream = "writer-" + worker;
                for (int i = 0; i < appends; i++) {
                    List<EventData> batch = events(1 + i % 3);
                    AppendResult result = store.append(
                            stream,
                            i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(mine.size() - 1L),
                            batch);
                    mine.addAll(acks(stream, result, batch));
                }
                return mine;
            });
            List<Ack> acks = results.stream().flatMap(List::stream).toList();

            assertThat(acks.stream().map(Ack::position).sorted().toList()).isEqualTo(range(0, acks.size()));
            assertThat(store.headPosition()).isEqualTo(acks.size() - 1);
            assertAcknowledgedEventsStored(acks);
        }

        @Test
        void multiStreamAppendsStayAtomicUnderConcurrency() throws Exception {
            List<List<Ack>> results = TckSupport.runConcurrently(3, worker -> {
                List<Ack> mine = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    if (worker == 0) {
                        List<EventData> x = events(1);
                        List<EventData> y = events(2);
                        List<AppendResult> r = store.appendMulti(List.of(
                                new StreamAppend("x", ExpectedVersion.any(), x),
                                new StreamAppend("y", ExpectedVersion.any(), y)));
                        assertThat(r.get(1).position()).isEqualTo(r.get(0).position() + 2);
                        mine.addAll(acks("x", r.get(0), x));
                        mine.addAll(acks("y", r.get(1), y));
                    } else {
                        List<EventData> batch = events(1);
                        String stream = worker == 1 ? "x" : "y";
                        mine.addAll(acks(stream, store.append(stream, ExpectedVersion.any(), batch), batch));
                    }
                }
                return mine;
            });

            assertAcknowledgedEventsStored(
                    results.stream().flatMap(List::stream).toList());
        }

        @Test
        void readersSeeAGapFreePrefixWhileWritersAppend() throws Exception {
            int total = 600;
            List<List<Long>> seen = TckSupport.runConcurrently(4, worker -> {
                if (worker < 3) {
                    for (int i = 0; i < total / 6; i++) {
                        appendAny("w-" + worker, 2);
                    }
                    return List.of();
                }
                List<Long> positions = new ArrayList<>();
                long next = 0;
                long deadline = System.nanoTime() + AWAIT.toNanos();
                while (positions.size() < total && System.nanoTime() < deadline) {
                    ReadAllResult page = store.readAll(ReadAllOptions.forwards(next, 50));
                    assertThat(positions(page.events()))
                            .as("a page read from %d", next)
                            .isEqualTo(range(next, next + page.events().size()));
                    positions.addAll(positions(page.events()));
                    next = page.nextPosition();
                }
                return positions;
            });

            assertThat(seen.get(3)).isEqualTo(range(0, total));
        }
    }

    /** Tags, queries, reads and subscriptions by query: the cases live in {@link DcbQueryContract}. */
    @Nested
    @DisplayName("dynamic consistency boundaries: tags and queries")
    class DcbQueries extends DcbQueryContract {
        @Override
        protected EventStore store() {
            return store;
        }
    }

    /** Conditional appends and deciders racing: the cases live in {@link DcbAppendContract}. */
    @Nested
    @DisplayName("dynamic consistency boundaries: conditional appends")
    class DcbAppends extends DcbAppendContract {
        @Override
        protected EventStore store() {
            return store;
        }
    }

    @Nested
    @DisplayName("a closed store")
    class ClosedStore {

        @Test
        void everyOperationFailsWithStoreClosed() {
            appendAny("s", 1);
            store.close();
            store.close();

            List<ThrowingCallable> operations = List.of(
                    () -> appendAny("s", 1),
                    () -> store.appendMulti(List.of(new StreamAppend("s", ExpectedVersion.any(), events(1)))),
                    () -> store.readStream("s", 0, Direction.FORWARDS, 1),
                    () -> store.readAll(ReadAllOptions.forwards(0, 1)),
                    () -> store.subscribeToStream("s", SubscribeFrom.start(), new RecordingListener()),
                    () -> store.subscribeToAll(
                            SubscribeAllOptions.from(SubscribeFrom.start()), new RecordingListener()),
                    () -> store.getStreamMetadata("s"),
                    () -> store.setStreamMetadata("s", ExpectedVersion.any(), StreamMetadata.empty()),
                    () -> store.delete("s", ExpectedVersion.any()),
                    () -> store.tombstone("s", ExpectedVersion.any()),
                    () -> store.headPosition());
            for (ThrowingCallable operation : operations) {
                assertThatThrownBy(operation).isInstanceOf(StoreClosedException.class);
            }
            assertThat(store.limits()).isEqualTo(LIMITS);
        }
    }
}
