package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.framework.Account.Deposit;
import io.factum.framework.Account.Open;
import io.factum.framework.Account.Withdraw;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The entity cache of the stream command handler. */
class EntityCacheTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    abstract static class Cases extends OnEachStore {
        final AtomicInteger folded = new AtomicInteger();
        final SnapshotTest.Observed decider = new SnapshotTest.Observed(folded::incrementAndGet);

        StreamCommandHandler.Builder<Account.Command, Account.State, Account.Event> builder() {
            return StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .cache(100);
        }

        @Test
        void aCachedEntityFoldsOnlyWhatCameAfterIt() {
            var handler = builder().build();
            handler.handle(CommandEnvelope.of(new Open("a")));
            for (int i = 0; i < 20; i++) {
                handler.handle(CommandEnvelope.of(new Deposit("a", 1)));
            }
            // Each event folded once when its command stored it; loads add nothing.
            assertThat(folded).hasValue(21);

            var uncached = StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .build();
            folded.set(0);
            uncached.handle(CommandEnvelope.of(new Deposit("a", 1)));
            assertThat(folded).as("without a cache, the whole stream").hasValue(22);
        }

        @Test
        void writesByOthersAreSeen() {
            var cached = builder().build();
            cached.handle(CommandEnvelope.of(new Open("a")));
            cached.handle(CommandEnvelope.of(new Deposit("a", 10)));
            var other = StreamCommandHandler.builder(store, new Account.Decide(), new Account.Codec(), Account::stream)
                    .build();
            other.handle(CommandEnvelope.of(new Withdraw("a", 10)));

            assertThat(cached.handle(CommandEnvelope.of(new Withdraw("a", 1))))
                    .isEqualTo(new CommandResult.Rejected<>(new Account.InsufficientFunds(0, 1)));
            assertThat(cached.load("account-a").state()).isEqualTo(new Account.State(true, 0));
        }

        @Test
        void aStreamDeletedUnderTheCacheIsNotServedFromIt() {
            var cached = builder().build();
            cached.handle(CommandEnvelope.of(new Open("a")));
            cached.handle(CommandEnvelope.of(new Deposit("a", 10)));
            store.delete("account-a", ExpectedVersion.any());

            assertThat(cached.handle(CommandEnvelope.of(new Withdraw("a", 5))))
                    .isEqualTo(new CommandResult.Rejected<>(new Account.NotOpen("a")));
        }

        @Test
        void aRedeliveredCommandIsRecognisedFromTheCache() {
            var cached = builder().build();
            cached.handle(CommandEnvelope.of(new Open("a")));
            CommandEnvelope<Account.Command> deposit = CommandEnvelope.of(new Deposit("a", 5));
            cached.handle(deposit);
            cached.handle(CommandEnvelope.of(new Deposit("a", 1)));

            assertThat(cached.handle(deposit)).isEqualTo(new CommandResult.AlreadyApplied<>(1));
            assertThat(cached.load("account-a").state().balance()).isEqualTo(6);
        }

        @Test
        void snapshotsAreStillTakenOnSchedule() {
            var cached = builder()
                    .snapshots(new SnapshotTest.StateCodec(1), SnapshotPolicy.everyEvents(10))
                    .build();
            cached.handle(CommandEnvelope.of(new Open("a")));
            for (int i = 0; i < 24; i++) {
                cached.handle(CommandEnvelope.of(new Deposit("a", 1)));
            }
            assertThat(cached.snapshotStats().written()).isEqualTo(2);
            store.append(
                    "account-a",
                    ExpectedVersion.any(),
                    List.of(new EventData(
                            UUID.randomUUID(),
                            "Deposited",
                            "{\"v\":\"100\"}".getBytes(),
                            new byte[0],
                            ContentType.JSON)));
            assertThat(cached.load("account-a").state().balance()).isEqualTo(124);
        }
    }
}
