package io.factum.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.WrongExpectedVersionException;
import io.factum.engine.WriteCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The append condition in {@link AppendDecider}, decided as the writer decides a group: each
 * command against the committed state with the group's earlier decisions laid over it. So two
 * conflicting conditional appends in one group cannot both succeed, whatever the fsync batching.
 */
class AppendDeciderConditionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");
    private static final Query COURSE = Query.tagged("course:c1");

    private final AppendDecider decider = new AppendDecider(new IdempotencyCache(1024), 0);
    private final Committed committed = new Committed();

    @Test
    void theSecondOfTwoConflictingAppendsInOneGroupFailsAtTheFirstOnesPosition() {
        committed.add(record("course-c1", 0, 0, "CourseDefined", "course:c1"));
        PendingView group = new PendingView(committed);

        Decision first = decide(enrol("s1", 0), group, 1);
        assertThat(first).isInstanceOf(Decision.Write.class);
        group.addAll(((Decision.Write) first).records());

        Decision second = decide(enrol("s2", 0), group, 2);
        assertThat(second).isInstanceOfSatisfying(Decision.Rejected.class, r -> assertThat(r.error())
                .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> assertThat(e.conflictingPosition())
                        .isEqualTo(1)));
    }

    @Test
    void aCommittedConflictIsFoundBeforeAPendingOneAndNamesTheFirstPosition() {
        committed.add(record("course-c1", 0, 0, "CourseDefined", "course:c1"));
        committed.add(record("other", 0, 1, "Unrelated"));
        committed.add(record("student-s0", 0, 2, "Enrolled", "course:c1"));
        PendingView group = new PendingView(committed);
        group.addAll(List.of(record("student-s9", 0, 3, "Enrolled", "course:c1")));

        Decision decision = decide(enrol("s1", 0), group, 4);
        assertThat(((Decision.Rejected) decision).error())
                .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> {
                    assertThat(e.conflictingPosition()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("position 2").contains("course:c1");
                });
        assertThat(((Decision.Rejected) decide(enrol("s1", 2), group, 4)).error())
                .isInstanceOfSatisfying(AppendConditionFailedException.class, e -> assertThat(e.conflictingPosition())
                        .isEqualTo(3));
        assertThat(decide(enrol("s1", 3), group, 4)).isInstanceOf(Decision.Write.class);
    }

    @Test
    void aWrongExpectedVersionIsReportedBeforeTheCondition() {
        committed.add(record("student-s1", 0, 0, "Enrolled", "course:c1"));
        WriteCommand.Append append = new WriteCommand.Append(
                List.of(new StreamAppend("student-s1", ExpectedVersion.noStream(), List.of(event("Enrolled")))),
                Optional.of(AppendCondition.noneMatching(COURSE)),
                0);
        assertThat(((Decision.Rejected) decide(append, new PendingView(committed), 1)).error())
                .isInstanceOf(WrongExpectedVersionException.class);
    }

    @Test
    void aRetryOfAStoredConditionalAppendSucceedsWithoutWritingThoughItsOwnEventsNowMatch() {
        EventData enrolment = event("Enrolled").withTags("course:c1");
        WriteCommand.Append append = new WriteCommand.Append(
                List.of(new StreamAppend("student-s1", ExpectedVersion.noStream(), List.of(enrolment))),
                Optional.of(AppendCondition.noneMatching(COURSE)),
                0);
        Decision first = decide(append, new PendingView(committed), 0);
        committed.addAll(((Decision.Write) first).records());

        Decision retry = decide(append, new PendingView(committed), 1);
        assertThat(retry).isInstanceOfSatisfying(Decision.NoWrite.class, n -> assertThat(n.results())
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.written()).isFalse();
                    assertThat(r.position()).isZero();
                }));
    }

    @Test
    void aConditionIsCheckedAgainstTheStateBeforeTheAppendNotItsOwnEarlierParts() {
        // Two parts whose events both match: the condition is about what others wrote.
        WriteCommand.Append append = new WriteCommand.Append(
                List.of(
                        new StreamAppend(
                                "a", ExpectedVersion.any(), List.of(event("X").withTags("course:c1"))),
                        new StreamAppend(
                                "b", ExpectedVersion.any(), List.of(event("X").withTags("course:c1")))),
                Optional.of(AppendCondition.noneMatching(COURSE)),
                0);
        Decision decision = decide(append, new PendingView(committed), 0);
        assertThat(decision).isInstanceOfSatisfying(Decision.Write.class, w -> assertThat(w.records())
                .extracting(RecordedEvent::tags)
                .containsOnly(List.of("course:c1")));
    }

    private Decision decide(WriteCommand command, StateView view, long position) {
        try {
            return decider.decide(command, view, position, NOW);
        } catch (io.factum.api.FactumException e) {
            return new Decision.Rejected(e);
        }
    }

    private static WriteCommand.Append enrol(String student, long readAt) {
        return new WriteCommand.Append(
                List.of(new StreamAppend(
                        "student-" + student,
                        ExpectedVersion.noStream(),
                        List.of(event("Enrolled").withTags("course:c1", "student:" + student)))),
                Optional.of(new AppendCondition(COURSE, readAt)),
                0);
    }

    private static EventData event(String type) {
        return new EventData(
                UUID.randomUUID(), type, new byte[] {'{', '}'}, new byte[0], io.factum.api.ContentType.JSON);
    }

    private static RecordedEvent record(String stream, long version, long position, String type, String... tags) {
        return new RecordedEvent(
                stream,
                version,
                position,
                UUID.randomUUID(),
                type,
                new byte[0],
                new byte[0],
                io.factum.api.ContentType.JSON,
                NOW,
                List.of(tags));
    }

    /** Committed state as a plain list: what the store's indexes answer, by brute force. */
    private static final class Committed implements StateView {
        private final List<RecordedEvent> records = new ArrayList<>();

        void add(RecordedEvent r) {
            records.add(r);
        }

        void addAll(List<RecordedEvent> rs) {
            records.addAll(rs);
        }

        @Override
        public long lastVersion(String stream) {
            long last = -1;
            for (RecordedEvent r : records) {
                if (r.stream().equals(stream)) {
                    last = r.version();
                }
            }
            return last;
        }

        @Override
        public Optional<EventRef> eventAt(String stream, long version) {
            return records.stream()
                    .filter(r -> r.stream().equals(stream) && r.version() == version)
                    .findFirst()
                    .map(r -> new EventRef(r.eventId(), r.position()));
        }

        @Override
        public StreamMetadataResult metadata(String stream) {
            return new StreamMetadataResult(stream, -1, StreamMetadata.empty());
        }

        @Override
        public long headPosition() {
            return records.size() - 1;
        }

        @Override
        public OptionalLong firstMatchAfter(Query query, long after) {
            return records.stream()
                    .filter(r -> r.position() > after && query.matches(r))
                    .mapToLong(RecordedEvent::position)
                    .findFirst();
        }
    }
}
