package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.framework.Account.Deposit;
import io.factum.framework.Account.Open;
import io.factum.framework.Account.Withdraw;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CommandBusTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    record Work(String entity, int seq) {}

    @Test
    void oneEntitysCommandsRunOneAtATimeInTheOrderSent() throws Exception {
        List<Integer> order = new ArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlap = new AtomicInteger();
        try (CommandBus<Work, Integer> bus = new CommandBus<>(
                e -> {
                    if (running.incrementAndGet() > 1) {
                        overlap.incrementAndGet();
                    }
                    synchronized (order) {
                        order.add(e.command().seq());
                    }
                    Thread.onSpinWait();
                    running.decrementAndGet();
                    return e.command().seq();
                },
                Work::entity,
                4,
                1000,
                WAIT)) {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                results.add(bus.send(CommandEnvelope.of(new Work("a", i))));
            }
            for (int i = 0; i < 300; i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
            }
        }
        assertThat(overlap).hasValue(0);
        assertThat(order).hasSize(300).isSorted();
    }

    @Test
    void differentEntitiesRunConcurrentlyUpToTheLimit() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        try (CommandBus<Work, String> bus = new CommandBus<>(
                e -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    await(release);
                    running.decrementAndGet();
                    return e.command().entity();
                },
                Work::entity,
                3,
                100,
                WAIT)) {
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                results.add(bus.send(CommandEnvelope.of(new Work("e" + i, 0))));
            }
            while (running.get() < 3) {
                Thread.onSpinWait();
            }
            Thread.sleep(50); // give a fourth command the chance to start, which it must not take
            assertThat(running).hasValue(3);
            assertThat(bus.stats().pending()).isEqualTo(10);
            release.countDown();
            for (int i = 0; i < 10; i++) {
                assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("e" + i);
            }
            assertThat(bus.stats()).isEqualTo(new CommandBus.Stats(10, 10, 0, 0, 0));
        }
        assertThat(most).hasValue(3);
    }

    @Test
    void aFullBusRefusesAfterItsTimeoutAndTakesCommandsAgainOnceThereIsRoom() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (CommandBus<Work, Integer> bus = new CommandBus<>(
                e -> {
                    await(release);
                    return e.command().seq();
                },
                Work::entity,
                2,
                4,
                Duration.ofMillis(50))) {
            List<CompletableFuture<Integer>> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(bus.send(CommandEnvelope.of(new Work("e" + i, i))));
            }

            assertThatThrownBy(() -> bus.send(CommandEnvelope.of(new Work("x", 9))))
                    .isInstanceOf(CommandBusFullException.class)
                    .hasMessageContaining("maximum of 4 pending commands");
            assertThat(bus.stats().refused()).isEqualTo(1);

            release.countDown();
            for (CompletableFuture<Integer> f : held) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(bus.send(CommandEnvelope.of(new Work("x", 9))).get(30, TimeUnit.SECONDS))
                    .isEqualTo(9);
        }
    }

    @Test
    void aFailingCommandFailsItsFutureAndItsEntityGoesOn() throws Exception {
        try (CommandBus<Work, Integer> bus = new CommandBus<>(
                e -> {
                    if (e.command().seq() == 1) {
                        throw new IllegalStateException("boom");
                    }
                    return e.command().seq();
                },
                Work::entity,
                2,
                10,
                WAIT)) {
            CompletableFuture<Integer> fails = bus.send(CommandEnvelope.of(new Work("a", 1)));
            CompletableFuture<Integer> after = bus.send(CommandEnvelope.of(new Work("a", 2)));

            assertThatThrownBy(() -> fails.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("boom");
            assertThat(after.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(bus.stats()).isEqualTo(new CommandBus.Stats(2, 1, 1, 0, 0));
        }
    }

    @Test
    void closingLetsSentCommandsFinishAndRefusesNewOnes() throws Exception {
        AtomicInteger done = new AtomicInteger();
        CommandBus<Work, Integer> bus = new CommandBus<>(
                e -> {
                    sleep(5);
                    return done.incrementAndGet();
                },
                Work::entity,
                2,
                100,
                WAIT);
        for (int i = 0; i < 20; i++) {
            bus.send(CommandEnvelope.of(new Work("e" + (i % 3), i)));
        }

        assertThat(bus.close(WAIT)).isTrue();
        assertThat(done).hasValue(20);
        assertThatThrownBy(() -> bus.send(CommandEnvelope.of(new Work("e", 0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void commandsOfOneAccountThroughTheBusNeverConflict() throws Exception {
        ConcurrentHashMap<String, Integer> mostAttempts = new ConcurrentHashMap<>();
        try (var store = OnEachStore.inMemory()) {
            var accounts = StreamCommandHandler.builder(
                            store, new Account.Decide(), new Account.Codec(), Account::stream)
                    .retry(RetryPolicy.none())
                    .build();
            try (CommandBus<Account.Command, CommandResult<Account.Event>> bus =
                    new CommandBus<>(accounts::handle, Account.Command::accountId, 4, 1000, WAIT)) {
                List<CompletableFuture<CommandResult<Account.Event>>> results = new ArrayList<>();
                for (int a = 0; a < 5; a++) {
                    results.add(bus.send(CommandEnvelope.of(new Open("a" + a))));
                    results.add(bus.send(CommandEnvelope.of(new Deposit("a" + a, 100))));
                }
                for (int i = 0; i < 200; i++) {
                    results.add(bus.send(CommandEnvelope.of(new Withdraw("a" + (i % 5), 1))));
                }
                for (CompletableFuture<CommandResult<Account.Event>> f : results) {
                    CommandResult<Account.Event> r = f.get(30, TimeUnit.SECONDS);
                    assertThat(r).isInstanceOf(CommandResult.Applied.class);
                    mostAttempts.merge("all", ((CommandResult.Applied<Account.Event>) r).attempts(), Math::max);
                }
            }
        }
        assertThat(mostAttempts.get("all"))
                .as("one attempt each: no retry policy was needed")
                .isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the handler");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
