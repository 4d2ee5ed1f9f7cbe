package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadata;
import io.factum.framework.migration.Migration;
import io.factum.framework.migration.MigrationException;
import io.factum.framework.migration.MigrationProgress;
import io.factum.framework.migration.MigrationReport;
import io.factum.framework.migration.PrefixCopy;
import io.factum.framework.migration.StreamTransform;
import io.factum.framework.migration.Verification;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    abstract static class Cases extends OnEachStore {
        final PrefixCopy copy = new PrefixCopy("account-", "acct2-", Map.of("MoneyWithdrawn", "Withdrawn"));

        /** Three accounts, their events interleaved in $all, plus noise the migration must skip. */
        void seed() {
            for (int round = 0; round < 4; round++) {
                for (String id : List.of("1", "2", "3")) {
                    String type = round % 2 == 0 ? "Deposited" : "MoneyWithdrawn";
                    store.append(
                            "account-" + id,
                            ExpectedVersion.any(),
                            List.of(EventData.json(
                                    UUID.randomUUID(),
                                    type,
                                    "{\"round\":" + round + "}",
                                    "{\"$correlationId\":\"c" + id + "\"}")));
                }
                store.append("other-" + round, ExpectedVersion.any(), List.of(EventData.json("Noise", "{}")));
            }
            store.setStreamMetadata(
                    "account-1", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(100));
            store.append("account-2", ExpectedVersion.any(), List.of(EventData.json("$snapshot", "{}")));
        }

        List<RecordedEvent> read(String stream) {
            ReadStreamResult result = store.readStream(stream, 0, Direction.FORWARDS, 1000);
            return result instanceof ReadStreamResult.Found found ? found.events() : List.of();
        }

        @Test
        void streamsAreCopiedInOrderTransformedAndMarkedAndTheCopyVerifies() {
            seed();
            List<MigrationProgress> seen = new ArrayList<>();
            Migration migration = Migration.builder(store, "v2", copy)
                    .pageSize(5)
                    .progress(seen::add)
                    .build();

            MigrationReport report = migration.run();

            assertThat(report.sourceEvents()).isEqualTo(12);
            assertThat(report.written()).isEqualTo(12);
            assertThat(report.targetStreams()).isEqualTo(3);
            assertThat(report.alreadyCopied()).isZero();
            List<RecordedEvent> copied = read("acct2-2");
            List<RecordedEvent> source = read("account-2");
            assertThat(copied)
                    .extracting(RecordedEvent::type)
                    .containsExactly("Deposited", "Withdrawn", "Deposited", "Withdrawn");
            assertThat(copied)
                    .extracting(RecordedEvent::dataAsString)
                    .containsExactlyElementsOf(source.subList(0, 4).stream()
                            .map(RecordedEvent::dataAsString)
                            .toList());
            assertThat(copied.getFirst().metadataAsString())
                    .contains("\"$correlationId\":\"c2\"", "\"$migration\":\"v2\"", "\"stream\":\"account-2\"");
            assertThat(copied.getFirst().eventId())
                    .isNotEqualTo(source.getFirst().eventId());
            assertThat(read("$migration-v2")).isNotEmpty();
            assertThat(seen).hasSizeGreaterThan(2);
            assertThat(seen.getLast().fraction()).isEqualTo(1.0);

            Verification verification = migration.verify();
            assertThat(verification.ok())
                    .as(verification.mismatches().toString())
                    .isTrue();
            assertThat(verification.sourceEvents()).isEqualTo(12);
            assertThat(verification.expectedEvents()).isEqualTo(12);
            assertThat(verification.targetStreams()).isEqualTo(3);
        }

        @Test
        void runningAgainCopiesOnlyWhatWasWrittenSince() {
            seed();
            Migration migration = Migration.builder(store, "v2", copy).build();
            migration.run();
            store.append("account-3", ExpectedVersion.any(), List.of(EventData.json("Deposited", "{\"late\":1}")));
            store.append("account-4", ExpectedVersion.any(), List.of(EventData.json("Deposited", "{\"new\":1}")));

            MigrationReport second = migration.run();

            assertThat(second.sourceEvents()).isEqualTo(2);
            assertThat(second.written()).isEqualTo(2);
            assertThat(read("acct2-3")).hasSize(5);
            assertThat(read("acct2-4")).hasSize(1);
            assertThat(migration.run().written()).as("nothing new").isZero();
            assertThat(migration.verify().ok()).isTrue();
        }

        @Test
        void aRunThatCrashedBeforeItsCheckpointIsResumedWithoutWritingTwice() {
            seed();
            // The store fails the first checkpoint: the targets of the first page are written,
            // the position is not.
            AtomicBoolean failed = new AtomicBoolean();
            EventStore crashing = failing(store, "$migration-", failed);
            assertThatThrownBy(() -> Migration.builder(crashing, "v2", copy)
                            .pageSize(7)
                            .build()
                            .run())
                    .hasMessageContaining("power cut");
            int writtenBeforeTheCrash = read("acct2-1").size()
                    + read("acct2-2").size()
                    + read("acct2-3").size();
            assertThat(writtenBeforeTheCrash).isPositive();

            Migration migration =
                    Migration.builder(store, "v2", copy).pageSize(7).build();
            MigrationReport resumed = migration.run();

            assertThat(resumed.resumedFrom()).isZero();
            assertThat(resumed.alreadyCopied()).isEqualTo(writtenBeforeTheCrash);
            assertThat(resumed.written()).isEqualTo(12 - writtenBeforeTheCrash);
            assertThat(read("acct2-1")).hasSize(4);
            assertThat(migration.verify().ok()).isTrue();
        }

        @Test
        void aTransformMaySplitAndDropEventsAndVerificationCountsWhatItMakes() {
            seed();
            StreamTransform splitDeposits = new StreamTransform() {
                @Override
                public @Nullable String targetStream(String sourceStream) {
                    return copy.targetStream(sourceStream);
                }

                @Override
                public List<EventData> transform(RecordedEvent event) {
                    EventData same = StreamTransform.copy(event);
                    return event.type().equals("Deposited") ? List.of(same, same) : List.of();
                }
            };
            Migration migration =
                    Migration.builder(store, "split", splitDeposits).build();

            MigrationReport report = migration.run();

            assertThat(report.sourceEvents()).isEqualTo(12);
            assertThat(report.dropped()).isEqualTo(6);
            assertThat(report.written()).isEqualTo(12);
            assertThat(read("acct2-1")).hasSize(4);
            Verification verification = migration.verify();
            assertThat(verification.ok()).isTrue();
            assertThat(verification.expectedEvents()).isEqualTo(12);
        }

        @Test
        void verificationNamesATargetStreamThatDoesNotHoldWhatItShould() {
            seed();
            Migration migration = Migration.builder(store, "v2", copy).build();
            migration.run();
            store.append("acct2-2", ExpectedVersion.any(), List.of(EventData.json("Stray", "{}")));

            Verification verification = migration.verify();

            assertThat(verification.ok()).isFalse();
            assertThat(verification.mismatches()).containsExactly("acct2-2: expected 4 events, holds 5");
        }

        @Test
        void aTargetStreamThatHoldsOtherEventsStopsTheMigrationBeforeItWritesThere() {
            seed();
            store.append("acct2-1", ExpectedVersion.any(), List.of(EventData.json("Unrelated", "{}")));

            assertThatThrownBy(
                            () -> Migration.builder(store, "v2", copy).build().run())
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("target stream acct2-1 holds events that migration v2 did not write");
            assertThat(read("acct2-1")).hasSize(1);
        }

        @Test
        void badSettingsAreRefusedWithWhatToDo() {
            assertThatThrownBy(() -> new PrefixCopy("account-", "account-v2-", Map.of()))
                    .hasMessageContaining("starts with the source prefix");
            assertThatThrownBy(() -> Migration.builder(store, "$x", copy))
                    .hasMessageContaining("must not be blank or start with $");
            store.append("account-1", ExpectedVersion.any(), List.of(EventData.json("Deposited", "{}")));
            StreamTransform same = new StreamTransform() {
                @Override
                public String targetStream(String sourceStream) {
                    return sourceStream;
                }

                @Override
                public List<EventData> transform(RecordedEvent event) {
                    return List.of(StreamTransform.copy(event));
                }
            };
            assertThatThrownBy(
                            () -> Migration.builder(store, "self", same).build().run())
                    .hasMessageContaining("sends account-1 to itself");
        }

        /** {@code store}, except that the first append to a stream starting with {@code prefix} fails. */
        static EventStore failing(EventStore store, String prefix, AtomicBoolean failed) {
            return (EventStore) Proxy.newProxyInstance(
                    EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("append")
                                && ((String) args[0]).startsWith(prefix)
                                && failed.compareAndSet(false, true)) {
                            throw new IllegalStateException("power cut");
                        }
                        try {
                            return method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
