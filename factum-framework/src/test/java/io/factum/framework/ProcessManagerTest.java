package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.framework.process.Deadline;
import io.factum.framework.process.ProcessFixture;
import io.factum.framework.process.ProcessManagerRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ProcessManagerTest {

    @Test
    void theFixtureShowsCommandsAndDeadlines() {
        ProcessFixture.of(new Transfers.Process())
                .given()
                .when(new Transfers.TransferRequested("t1", "a", "b", 30))
                .thenCommands(new Account.Withdraw("a", 30))
                .thenScheduled(new Deadline("timeout", ProcessFixture.NOW.plus(Transfers.TIMEOUT), "t1"));
        ProcessFixture.of(new Transfers.Process())
                .given(new Transfers.TransferRequested("t1", "a", "b", 30), new Account.Withdrawn(30))
                .whenRejected(new Account.Deposit("b", 30), new Account.NotOpen("b"))
                .thenCommands(new Account.Deposit("a", 30))
                .thenState(new Transfers.State("refunding", "a", "b", 30));
    }

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    abstract static class Cases extends OnEachStore {
        final SnapshotTest.MutableClock clock = new SnapshotTest.MutableClock(Instant.parse("2026-06-01T00:00:00Z"));

        StreamCommandHandler<Account.Command, Account.State, Account.Event> accounts() {
            return StreamCommandHandler.builder(store, new Account.Decide(), new Account.Codec(), Account::stream)
                    .build();
        }

        ProcessManagerRunner<Object, Transfers.State, Account.Command> runner(String instance) throws Exception {
            var accounts = accounts();
            return ProcessManagerRunner.builder(
                            store,
                            "transfer",
                            new Transfers.Process(),
                            new Transfers.EventsCodec(),
                            JsonSnapshotCodec.of(Transfers.State.class, 1),
                            Transfers.commandCodec(),
                            envelope -> envelope.command() instanceof Account.Withdraw w
                                            && w.accountId().equals("blackhole")
                                    ? new CommandResult.Applied<Account.Event>(List.of(), -1, -1, 1)
                                    : accounts.handle(envelope))
                    .clock(clock)
                    .instance(instance)
                    .deadlinePoll(Duration.ofMillis(10))
                    .filter(EventFilter.eventTypeRegex("^(TransferRequested|Withdrawn|Deposited)$"))
                    .build()
                    .start();
        }

        void open(String account, long balance) {
            accounts().handle(CommandEnvelope.of(new Account.Open(account)));
            if (balance > 0) {
                accounts().handle(CommandEnvelope.of(new Account.Deposit(account, balance)));
            }
        }

        void request(String transfer, String from, String to, long amount) {
            String json = "{\"transferId\":\"" + transfer + "\",\"from\":\"" + from + "\",\"to\":\"" + to
                    + "\",\"amount\":" + amount + "}";
            store.append(
                    "transfer-" + transfer,
                    ExpectedVersion.noStream(),
                    List.of(EventData.json(
                            UUID.randomUUID(),
                            "TransferRequested",
                            json,
                            "{\"$correlationId\":\"" + transfer + "\"}")));
        }

        long balance(String account) {
            return accounts().load("account-" + account).state().balance();
        }

        static void await(BooleanSupplier condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within 20 s: " + what);
                }
                Thread.sleep(10);
            }
        }

        String phase(ProcessManagerRunner<Object, Transfers.State, Account.Command> runner, String transfer) {
            return runner.process(transfer).map(v -> v.state().phase()).orElse("none");
        }

        @Test
        void aTransferDebitsCreditsAndFinishesWithItsDeadlineCancelled() throws Exception {
            open("a", 100);
            open("b", 0);
            try (var runner = runner("one")) {
                request("t1", "a", "b", 30);
                await(() -> phase(runner, "t1").equals("completed"), "completed");
                var view = runner.process("t1").orElseThrow();
                assertThat(view.done()).isTrue();
                assertThat(view.pending()).isEmpty();
            }
            assertThat(balance("a")).isEqualTo(70);
            assertThat(balance("b")).isEqualTo(30);
        }

        @Test
        void aRefusedDebitFailsTheTransferAndARefusedCreditIsRefunded() throws Exception {
            open("a", 100);
            try (var runner = runner("one")) {
                request("poor", "a", "b", 500);
                await(() -> phase(runner, "poor").equals("failed"), "failed");
                request("nowhere", "a", "missing", 40);
                await(() -> phase(runner, "nowhere").equals("refunded"), "refunded");
            }
            assertThat(balance("a")).as("debited, then refunded").isEqualTo(100);
        }

        @Test
        void twoInstancesHandlingEveryEventMoveTheMoneyOnce() throws Exception {
            open("a", 1000);
            open("b", 0);
            try (var one = runner("one");
                    var two = runner("two")) {
                for (int i = 0; i < 10; i++) {
                    request("t" + i, "a", "b", 10);
                }
                for (int i = 0; i < 10; i++) {
                    String t = "t" + i;
                    await(() -> phase(one, t).equals("completed"), t + " completed");
                }
                long head = store.headPosition();
                boolean caughtUp = one.events().awaitPosition(head, Duration.ofSeconds(10));
                assertThat(caughtUp)
                        .as(
                                "%d %s %s",
                                head, one.events().status(), two.events().status())
                        .isTrue();
                assertThat(two.events().awaitPosition(store.headPosition(), Duration.ofSeconds(10)))
                        .isTrue();
            }
            assertThat(balance("a")).isEqualTo(900);
            assertThat(balance("b")).isEqualTo(100);
        }

        @Test
        void aDeadlineKeptInTheStoreFiresAfterARestart() throws Exception {
            open("a", 100);
            try (var runner = runner("one")) {
                // The debit goes to a black hole: no answer ever comes, only the deadline ends it.
                request("late", "blackhole", "a", 5);
                await(
                        () -> runner.process("late")
                                .map(v -> v.pending().containsKey("timeout"))
                                .orElse(false),
                        "the timeout pending");
                assertThat(phase(runner, "late")).isEqualTo("debiting");
            }
            clock.advance(Transfers.TIMEOUT.plusSeconds(1));
            try (var restarted = runner("two")) {
                await(() -> phase(restarted, "late").equals("timed out"), "timed out after the restart");
                var view = restarted.process("late").orElseThrow();
                assertThat(view.done()).isTrue();
                assertThat(view.pending()).isEmpty();
            }
        }
    }
}
