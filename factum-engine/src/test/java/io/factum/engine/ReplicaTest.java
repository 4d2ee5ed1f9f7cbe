package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendCondition;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replica applies commands deterministically: the same entries give the same log on every node. */
class ReplicaTest {
    private static final StoreLimits LIMITS = StoreLimits.defaults();
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @TempDir
    Path dir;

    private EngineOptions options(String node, int cacheEntries) {
        return EngineOptions.defaults(dir.resolve(node))
                .withSegmentSizeBytes(1 << 16)
                .withIndexMemtableEntries(50)
                .withDurability(Durability.NO_FSYNC)
                .withIdempotencyCacheEntries(cacheEntries);
    }

    private static List<Replica.Outcome> apply(Replica replica, Instant time, WriteCommand... commands) {
        return replica.apply(List.of(commands), time, (first, next) -> {});
    }

    private static WriteCommand append(String stream, ExpectedVersion expected, EventData... events) {
        return WriteCommand.append(stream, expected, List.of(events), LIMITS);
    }

    private static EventData event(String type) {
        return EventData.json(type, "{\"at\":\"" + UUID.randomUUID() + "\"}");
    }

    private static List<RecordedEvent> all(Replica replica) {
        return replica.store().readAll(ReadAllOptions.forwards(0, 10_000)).events();
    }

    @Test
    void twoReplicasApplyingTheSameEntriesHoldTheSameLog() throws IOException {
        List<List<WriteCommand>> entries = new ArrayList<>();
        EventData retried = event("opened");
        entries.add(List.of(
                append("account-1", ExpectedVersion.noStream(), retried),
                append("account-1", ExpectedVersion.noStream(), event("opened")), // conflict
                append("account-2", ExpectedVersion.any(), event("opened"), event("deposited"))));
        entries.add(List.of(
                append("account-1", ExpectedVersion.noStream(), retried), // idempotent retry
                WriteCommand.setMetadata("account-2", ExpectedVersion.any(), StreamMetadata.empty(), LIMITS),
                WriteCommand.softDelete("account-2", ExpectedVersion.any(), LIMITS),
                append("account-2", ExpectedVersion.any(), event("reopened")))); // undeletes
        entries.add(List.of(WriteCommand.tombstone("account-3", ExpectedVersion.any(), LIMITS)));

        List<List<Replica.Outcome>> first = new ArrayList<>();
        try (Replica a = Replica.open(options("a", 1000));
                Replica b = Replica.open(options("b", 1000))) {
            for (int i = 0; i < entries.size(); i++) {
                first.add(a.apply(entries.get(i), T0.plusSeconds(i), (f, n) -> {}));
                b.apply(entries.get(i), T0.plusSeconds(i), (f, n) -> {});
            }
            assertThat(all(a)).isEqualTo(all(b)).hasSize(8);
            assertThat(a.nextPosition()).isEqualTo(b.nextPosition()).isEqualTo(8);
        }
        assertThat(first.get(0).get(1)).isInstanceOfSatisfying(Replica.Outcome.Refused.class, r -> assertThat(r.error())
                .isInstanceOf(WrongExpectedVersionException.class));
        assertThat(first.get(1).get(0)).isInstanceOfSatisfying(Replica.Outcome.Done.class, d -> assertThat(
                        d.results().get(0).written())
                .isFalse());
    }

    @Test
    void recordsAreStampedWithTheEntrysTimeAndNeverGoBack() throws IOException {
        try (Replica replica = Replica.open(options("a", 1000))) {
            apply(replica, T0.plusSeconds(10), append("s", ExpectedVersion.any(), event("x")));
            apply(replica, T0, append("s", ExpectedVersion.any(), event("x")));
            List<RecordedEvent> log = all(replica);
            assertThat(log.get(0).created()).isEqualTo(T0.plusSeconds(10));
            assertThat(log.get(1).created()).as("a leader with a slower clock").isEqualTo(T0.plusSeconds(10));
        }
    }

    @Test
    void anEntryThatWritesNothingDoesNotMoveTheClock() throws IOException {
        // A node that applied a refused entry and a node that restarted after it must stamp alike.
        EventData e = event("x");
        try (Replica replica = Replica.open(options("a", 1000))) {
            apply(replica, T0, append("s", ExpectedVersion.noStream(), e));
            apply(replica, T0.plusSeconds(60), append("s", ExpectedVersion.noStream(), event("y")));
            apply(replica, T0.plusSeconds(1), append("s", ExpectedVersion.any(), event("z")));
            assertThat(all(replica).get(1).created()).isEqualTo(T0.plusSeconds(1));
        }
    }

    @Test
    void aRetryWithAnyIsRecognisedWithinTheWindowAndARestartedNodeDecidesAlike() throws IOException {
        // Window = cache / 2 = 5 positions. Node a restarts before the retries, node b does not.
        EventData early = event("early");
        EventData recent = event("recent");
        List<WriteCommand> history = new ArrayList<>();
        history.add(append("s", ExpectedVersion.any(), early));
        for (int i = 0; i < 6; i++) {
            history.add(append("other-" + i, ExpectedVersion.any(), event("filler")));
        }
        history.add(append("s", ExpectedVersion.any(), recent));
        WriteCommand[] retries = {append("s", ExpectedVersion.any(), recent), append("s", ExpectedVersion.any(), early)
        };
        try (Replica a = Replica.open(options("a", 10))) {
            history.forEach(c -> apply(a, T0, c));
        }
        try (Replica a = Replica.open(options("a", 10));
                Replica b = Replica.open(options("b", 10))) {
            history.forEach(c -> apply(b, T0, c));
            List<Replica.Outcome> restarted = apply(a, T0, retries);
            List<Replica.Outcome> continuous = apply(b, T0, retries);

            assertThat(all(a)).isEqualTo(all(b));
            assertThat(restarted).isEqualTo(continuous);
            assertThat(((Replica.Outcome.Done) restarted.get(0))
                            .results()
                            .get(0)
                            .written())
                    .as("within the window: recognised")
                    .isFalse();
            assertThat(all(a))
                    .as("outside the window, a retry is written again, on every node alike")
                    .filteredOn(r -> r.eventId().equals(early.eventId()))
                    .hasSize(2);
        }
    }

    @Test
    void conditionsAreCheckedAgainstTheEntrysEarlierCommands() throws IOException {
        Query enrolments = Query.tagged("course:c1");
        AppendCondition none = AppendCondition.noneMatching(enrolments);
        WriteCommand first = WriteCommand.append(
                List.of(new StreamAppend(
                        "student-1",
                        ExpectedVersion.any(),
                        List.of(event("enrolled").withTags("course:c1")))),
                Optional.of(none),
                LIMITS);
        WriteCommand second = WriteCommand.append(
                List.of(new StreamAppend(
                        "student-2",
                        ExpectedVersion.any(),
                        List.of(event("enrolled").withTags("course:c1")))),
                Optional.of(none),
                LIMITS);
        try (Replica replica = Replica.open(options("a", 1000))) {
            List<Replica.Outcome> outcomes = apply(replica, T0, first, second);
            assertThat(outcomes.get(0)).isInstanceOf(Replica.Outcome.Done.class);
            assertThat(outcomes.get(1)).isInstanceOf(Replica.Outcome.Refused.class);
            assertThat(all(replica)).hasSize(1);
        }
    }

    @Test
    void theHookHearsTheFramesPositionsAndItsFailureWritesNothing() throws IOException {
        try (Replica replica = Replica.open(options("a", 1000))) {
            List<long[]> heard = new ArrayList<>();
            replica.apply(
                    List.of(
                            append("s", ExpectedVersion.any(), event("x"), event("y")),
                            append("t", ExpectedVersion.any(), event("z"))),
                    T0,
                    (first, next) -> heard.add(new long[] {first, next}));
            replica.apply(
                    List.of(append("s", ExpectedVersion.noStream(), event("refused"))),
                    T0,
                    (first, next) -> heard.add(new long[] {first, next}));
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0)).containsExactly(0, 3);

            assertThatThrownBy(() -> replica.apply(
                            List.of(append("s", ExpectedVersion.any(), event("x"))), T0, (first, next) -> {
                                throw new IOException("disk full");
                            }))
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("disk full");
            assertThat(all(replica)).hasSize(3);
            assertThat(replica.store().readOnly()).isPresent();
        }
    }

    @Test
    void importedRecordsAreStoredExactlyAsTheyWere() throws IOException {
        List<RecordedEvent> source;
        try (Replica a = Replica.open(options("a", 1000))) {
            apply(a, T0, append("s", ExpectedVersion.any(), event("x").withTags("k:1"), event("y")));
            apply(a, T0.plusSeconds(5), WriteCommand.tombstone("t", ExpectedVersion.any(), LIMITS));
            source = all(a);
        }
        try (Replica b = Replica.open(options("b", 1000))) {
            assertThatThrownBy(() -> b.importRecords(source.subList(1, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("next position is 0");
            b.importRecords(source.subList(0, 2));
            b.importRecords(source.subList(2, 3));
            assertThat(all(b)).isEqualTo(source);
            assertThat(b.store()
                            .readByQuery(Query.tagged("k:1"), 0, io.factum.api.Direction.FORWARDS, 10)
                            .events())
                    .hasSize(1);
            apply(b, T0, append("s", ExpectedVersion.exactly(1), event("z")));
            assertThat(all(b).get(3).created())
                    .as("never older than the imported records")
                    .isEqualTo(T0.plusSeconds(5));
        }
    }

    @Test
    void aReplicasStoreRefusesDirectWrites() throws IOException {
        try (Replica replica = Replica.open(options("a", 1000))) {
            assertThatThrownBy(() -> replica.store().append("s", ExpectedVersion.any(), List.of(event("x"))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is a replica");
        }
    }

    @Test
    void syncMakesTheAppliedRecordsSurviveAReopen() throws IOException {
        try (Replica replica = Replica.open(options("a", 1000))) {
            apply(replica, T0, append("s", ExpectedVersion.any(), event("x")));
            replica.sync();
        }
        try (Replica replica = Replica.open(options("a", 1000))) {
            assertThat(replica.nextPosition()).isEqualTo(1);
        }
    }
}
