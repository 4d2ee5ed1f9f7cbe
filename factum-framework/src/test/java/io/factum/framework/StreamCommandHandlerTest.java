package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.framework.Account.Deposit;
import io.factum.framework.Account.Deposited;
import io.factum.framework.Account.InsufficientFunds;
import io.factum.framework.Account.Open;
import io.factum.framework.Account.Opened;
import io.factum.framework.Account.Withdraw;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The handler against the in-memory reference store and the embedded engine. */
class StreamCommandHandlerTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    abstract static class Cases extends OnEachStore {

        StreamCommandHandler<Account.Command, Account.State, Account.Event> handler(
                Decider<Account.Command, Account.State, Account.Event> decider, RetryPolicy retry) {
            return StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .retry(retry)
                    .random(() -> new SplittableRandom(1))
                    .pause(pauses::add)
                    .build();
        }

        StreamCommandHandler<Account.Command, Account.State, Account.Event> handler() {
            return handler(new Account.Decide(), RetryPolicy.DEFAULT);
        }

        List<RecordedEvent> stored(String stream) {
            ReadStreamResult result = store.readStream(stream, 0, Direction.FORWARDS, 1000);
            return result instanceof ReadStreamResult.Found found ? found.events() : List.of();
        }

        @Test
        void aCommandIsDecidedOnItsStreamAndItsEventsStoredWithIdsAndMetadataFromTheCommand() {
            var handler = handler();
            CommandEnvelope<Account.Command> open =
                    new CommandEnvelope<>(UUID.randomUUID(), new Open("a"), "transfer-7");

            CommandResult<Account.Event> result = handler.handle(open);

            assertThat(result).isEqualTo(new CommandResult.Applied<>(List.of(new Opened("a")), 0, 0, 1));
            RecordedEvent event = stored("account-a").get(0);
            assertThat(event.type()).isEqualTo("Opened");
            assertThat(event.eventId()).isEqualTo(CommandMetadata.eventId(open.commandId(), 0));
            assertThat(event.contentType()).isEqualTo(ContentType.JSON);
            assertThat(event.metadataAsString())
                    .isEqualTo("{\"$correlationId\":\"transfer-7\",\"$causationId\":\"" + open.commandId() + "\"}");
            assertThat(handler.handle(CommandEnvelope.of(new Deposit("a", 50))))
                    .isEqualTo(new CommandResult.Applied<>(List.of(new Deposited(50)), 1, 1, 1));
        }

        @Test
        void aRefusedCommandWritesNothingAndSaysWhy() {
            var handler = handler();
            handler.handle(CommandEnvelope.of(new Open("a")));

            assertThat(handler.handle(CommandEnvelope.of(new Withdraw("a", 5))))
                    .isEqualTo(new CommandResult.Rejected<>(new InsufficientFunds(0, 5)));
            assertThat(stored("account-a")).hasSize(1);
            assertThat(handler.handle(CommandEnvelope.of(new Open("a"))))
                    .as("accepted, nothing to write")
                    .isEqualTo(new CommandResult.Applied<>(List.of(), 0, -1, 1));
        }

        @Test
        void theSameCommandDeliveredTwiceIsStoredOnce() {
            var handler = handler();
            handler.handle(CommandEnvelope.of(new Open("a")));
            CommandEnvelope<Account.Command> deposit = CommandEnvelope.of(new Deposit("a", 50));
            handler.handle(deposit);
            handler.handle(CommandEnvelope.of(new Deposit("a", 1)));

            assertThat(handler.handle(deposit)).isEqualTo(new CommandResult.AlreadyApplied<>(1));
            assertThat(stored("account-a"))
                    .extracting(RecordedEvent::type)
                    .containsExactly("Opened", "Deposited", "Deposited");
        }

        @Test
        void aConcurrentWriteMakesItDecideAgainOnTheNewState() {
            handler().handle(CommandEnvelope.of(new Open("a")));
            handler().handle(CommandEnvelope.of(new Deposit("a", 100)));
            AtomicInteger decisions = new AtomicInteger();
            // Between the first load and its append, another writer withdraws 80.
            Decider<Account.Command, Account.State, Account.Event> racing = racing(decisions, 1);

            CommandResult<Account.Event> result =
                    handler(racing, RetryPolicy.DEFAULT).handle(CommandEnvelope.of(new Withdraw("a", 50)));

            assertThat(result).isEqualTo(new CommandResult.Rejected<>(new InsufficientFunds(20, 50)));
            assertThat(decisions).hasValue(2);
            assertThat(pauses).hasSize(1);
            assertThat(pauses.get(0)).isBetween(Duration.ZERO, RetryPolicy.DEFAULT.firstDelay());
        }

        @Test
        void whenEveryAttemptMeetsAConcurrentWriteItGivesUpHavingWrittenNothing() {
            handler().handle(CommandEnvelope.of(new Open("a")));
            handler().handle(CommandEnvelope.of(new Deposit("a", 1000)));
            AtomicInteger decisions = new AtomicInteger();
            RetryPolicy threeTries = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));
            CommandEnvelope<Account.Command> withdraw = CommandEnvelope.of(new Withdraw("a", 1));

            assertThatThrownBy(() -> handler(racing(decisions, Integer.MAX_VALUE), threeTries)
                            .handle(withdraw))
                    .isInstanceOf(RetriesExhaustedException.class)
                    .hasMessageContaining("decided 3 times")
                    .hasMessageContaining("'account-a'");
            assertThat(decisions).hasValue(3);
            assertThat(pauses).hasSize(2);
            assertThat(stored("account-a"))
                    .noneMatch(e -> e.eventId().equals(CommandMetadata.eventId(withdraw.commandId(), 0)));
        }

        @Test
        void concurrentWithdrawalsNeverOverdrawAndEveryAcceptedOneIsStored() throws Exception {
            var handler = StreamCommandHandler.builder(
                            store, new Account.Decide(), new Account.Codec(), Account::stream)
                    .retry(new RetryPolicy(1000, Duration.ZERO, Duration.ofMillis(1)))
                    .build();
            handler.handle(CommandEnvelope.of(new Open("a")));
            handler.handle(CommandEnvelope.of(new Deposit("a", 500)));
            ConcurrentLinkedQueue<CommandResult<Account.Event>> results = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < 25; i++) {
                            results.add(handler.handle(CommandEnvelope.of(new Withdraw("a", 3))));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join(Duration.ofMinutes(1));
            }

            assertThat(errors).isEmpty();
            long accepted = results.stream()
                    .filter(r -> r instanceof CommandResult.Applied)
                    .count();
            assertThat(accepted).as("500 covers 166 withdrawals of 3").isEqualTo(166);
            assertThat(results).hasSize(200);
            long withdrawn = stored("account-a").stream()
                    .filter(e -> e.type().equals("Withdrawn"))
                    .count();
            assertThat(withdrawn).isEqualTo(accepted);
        }

        @Test
        void anEventTheCodecCannotReadStopsTheCommandAndNamesIt() {
            store.append(
                    "account-a",
                    ExpectedVersion.any(),
                    List.of(new EventData(
                            UUID.randomUUID(),
                            "Renamed",
                            "{}".getBytes(StandardCharsets.UTF_8),
                            new byte[0],
                            ContentType.JSON)));

            assertThatThrownBy(() -> handler().handle(CommandEnvelope.of(new Deposit("a", 1))))
                    .isInstanceOf(UndecodableEventException.class)
                    .hasMessageContaining("event 0 of stream 'account-a' (type 'Renamed')");
        }

        @Test
        void anInterruptWhileWaitingToRetryCancelsTheCommand() {
            handler().handle(CommandEnvelope.of(new Open("a")));
            var handler = StreamCommandHandler.builder(
                            store, racing(new AtomicInteger(), 1), new Account.Codec(), Account::stream)
                    .pause(d -> {
                        throw new InterruptedException("test");
                    })
                    .build();

            try {
                assertThatThrownBy(() -> handler.handle(CommandEnvelope.of(new Deposit("a", 1))))
                        .isInstanceOf(CancellationException.class)
                        .hasMessageContaining("nothing of it was written");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }

        /** The account decider, with another writer withdrawing 80 during its first {@code races} decisions. */
        Decider<Account.Command, Account.State, Account.Event> racing(AtomicInteger decisions, int races) {
            Account.Decide plain = new Account.Decide();
            return new Decider<>() {
                @Override
                public Account.State initialState() {
                    return plain.initialState();
                }

                @Override
                public Decision<Account.Event> decide(Account.Command command, Account.State state) {
                    if (decisions.incrementAndGet() <= races) {
                        handler().handle(CommandEnvelope.of(new Deposit(command.accountId(), 0)));
                        if (races == 1) {
                            handler().handle(CommandEnvelope.of(new Withdraw(command.accountId(), 80)));
                        }
                    }
                    return plain.decide(command, state);
                }

                @Override
                public Account.State evolve(Account.State state, Account.Event event) {
                    return plain.evolve(state, event);
                }
            };
        }
    }
}
