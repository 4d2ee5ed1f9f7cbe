package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.framework.projection.Change;
import io.factum.framework.projection.DeadLetter;
import io.factum.framework.projection.EventEnvelope;
import io.factum.framework.projection.MemoryProjectionSink;
import io.factum.framework.projection.ProjectionProgress;
import io.factum.framework.projection.ProjectionRunner;
import io.factum.framework.projection.StoreCheckpointSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The projection runner against the in-memory store and the engine. */
class ProjectionRunnerTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    /** Balances per account, and the versions each account's events arrived in. */
    static final class Balances {
        final Map<String, Long> balance = new ConcurrentHashMap<>();
        final Map<String, List<Long>> versions = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        void apply(EventEnvelope<Account.Event> e) {
            calls.incrementAndGet();
            versions.computeIfAbsent(e.stream(), s -> new CopyOnWriteArrayList<>())
                    .add(e.version());
            long delta =
                    switch (e.event()) {
                        case Account.Opened o -> 0;
                        case Account.Deposited d -> d.amount();
                        case Account.Withdrawn w -> -w.amount();
                    };
            balance.merge(e.stream(), delta, Long::sum);
        }

        void clear() {
            balance.clear();
            versions.clear();
        }
    }

    abstract static class Cases extends OnEachStore {
        final Balances model = new Balances();
        final Account.Codec codec = new Account.Codec();

        ProjectionRunner.Builder<Account.Event> runner(
                io.factum.framework.projection.ProjectionSink<Account.Event> sink) {
            return ProjectionRunner.builder(store, "balances", codec, sink)
                    .partitions(3)
                    .batchSize(7)
                    .retries(3, Duration.ofMillis(1))
                    .idleCheckpointInterval(Duration.ofMillis(10));
        }

        MemoryProjectionSink<Account.Event> memory() {
            return new MemoryProjectionSink<>(model::apply, model::clear);
        }

        long deposit(String account, long amount) {
            return store.append(
                            "account-" + account, ExpectedVersion.any(), List.of(event(new Account.Deposited(amount))))
                    .position();
        }

        EventData event(Account.Event e) {
            return new EventData(
                    UUID.randomUUID(), codec.typeOf(e), codec.encode(e), new byte[0], io.factum.api.ContentType.JSON);
        }

        /** 10 accounts, 200 deposits of 1..200 interleaved, and events the projection skips. */
        long seed() {
            long last = -1;
            for (int i = 1; i <= 200; i++) {
                last = deposit(Integer.toString(i % 10), i);
                if (i % 50 == 0) {
                    store.append("$system-noise", ExpectedVersion.any(), List.of(EventData.json("Noise", "{}")));
                }
            }
            return last;
        }

        @Test
        void everyEventIsAppliedOnceInOrderPerStreamAndAwaitPositionSeesIt() throws Exception {
            long last = seed();
            try (var runner = runner(memory()).build().start()) {
                assertThat(runner.awaitPosition(last, Duration.ofSeconds(10))).isTrue();
                assertThat(model.calls).hasValue(200);
                assertThat(model.balance.values().stream()
                                .mapToLong(Long::longValue)
                                .sum())
                        .isEqualTo(200 * 201 / 2);
                model.versions.forEach((stream, versions) -> assertThat(versions)
                        .as(stream)
                        .isSorted()
                        .doesNotHaveDuplicates()
                        .hasSize(20));

                long more = deposit("3", 1000);
                assertThat(runner.awaitPosition("account-3", more, Duration.ofSeconds(10)))
                        .isTrue();
                assertThat(model.balance.get("account-3")).isEqualTo(1000 + sumOf(3));
                assertThat(runner.awaitPosition(more, Duration.ofSeconds(10))).isTrue();
                assertThat(runner.status())
                        .allSatisfy(p -> assertThat(p.running()).isTrue());
                assertThat(runner.progress().lag())
                        .as("%s %d", runner.progress(), more)
                        .isZero();
            }
        }

        private static long sumOf(int account) {
            long sum = 0;
            for (int i = 1; i <= 200; i++) {
                if (i % 10 == account) {
                    sum += i;
                }
            }
            return sum;
        }

        @Test
        void awaitPositionGivesUpAtItsTimeout() throws Exception {
            try (var runner = runner(memory()).build().start()) {
                assertThat(runner.awaitPosition(1_000_000, Duration.ofMillis(50)))
                        .isFalse();
            }
        }

        @Test
        void aRestartWithStoredCheckpointsGoesOnWhereItStopped() throws Exception {
            long first = seed();
            try (var runner = runner(new StoreCheckpointSink<>(store, model::apply, model::clear))
                    .build()
                    .start()) {
                assertThat(runner.awaitPosition(first, Duration.ofSeconds(10))).isTrue();
            }
            assertThat(model.calls).hasValue(200);
            long next = deposit("1", 5);

            try (var runner = runner(new StoreCheckpointSink<>(store, model::apply, model::clear))
                    .build()
                    .start()) {
                assertThat(runner.awaitPosition(next, Duration.ofSeconds(10))).isTrue();
            }
            assertThat(model.calls).as("only the new event").hasValue(201);
        }

        @Test
        void aFailingEventParksItsStreamWhileOtherStreamsGoOnAndRetryReleasesItInOrder() throws Exception {
            Set<Long> poison = ConcurrentHashMap.newKeySet();
            var sink = new MemoryProjectionSink<Account.Event>(
                    e -> {
                        if (poison.contains(e.position())) {
                            throw new IllegalStateException("cannot apply " + e.position());
                        }
                        model.apply(e);
                    },
                    model::clear);
            deposit("bad", 1);
            long failing = deposit("bad", 2);
            poison.add(failing);
            deposit("bad", 3);
            long good = deposit("good", 10);

            try (var runner = runner(sink).build().start()) {
                assertThat(runner.awaitPosition(good, Duration.ofSeconds(10))).isTrue();
                assertThat(model.balance.get("account-good")).isEqualTo(10);
                assertThat(model.balance.get("account-bad"))
                        .as("only what came before the failure")
                        .isEqualTo(1);
                List<DeadLetter> letters = runner.deadLetters();
                assertThat(letters).extracting(DeadLetter::stream).containsOnly("account-bad");
                assertThat(letters).hasSize(2);
                assertThat(letters.get(0).failed()).isTrue();
                assertThat(letters.get(0).error()).contains("cannot apply " + failing);
                assertThat(letters.get(1).failed()).as("held behind it").isFalse();

                long later = deposit("bad", 4);
                assertThat(runner.awaitPosition(later, Duration.ofSeconds(10))).isTrue();
                assertThat(runner.deadLetters()).hasSize(3);
                assertThat(runner.retry("account-bad", Duration.ofSeconds(10)))
                        .as("fails again")
                        .isZero();

                poison.clear();
                assertThat(runner.retry("account-bad", Duration.ofSeconds(10))).isEqualTo(3);
                assertThat(runner.deadLetters()).isEmpty();
                assertThat(model.balance.get("account-bad")).isEqualTo(1 + 2 + 3 + 4);
                assertThat(model.versions.get("account-bad")).containsExactly(0L, 1L, 2L, 3L);

                long after = deposit("bad", 5);
                assertThat(runner.awaitPosition(after, Duration.ofSeconds(10))).isTrue();
                assertThat(model.balance.get("account-bad"))
                        .as("the stream goes on")
                        .isEqualTo(15);
            }
        }

        @Test
        void skipDropsTheFailedEventAndAppliesTheRest() throws Exception {
            store.append(
                    "account-x",
                    ExpectedVersion.any(),
                    List.of(new EventData(
                            UUID.randomUUID(),
                            "Deposited",
                            "not json".getBytes(StandardCharsets.UTF_8),
                            new byte[0],
                            io.factum.api.ContentType.JSON)));
            long held = deposit("x", 7);
            try (var runner = runner(memory()).build().start()) {
                assertThat(runner.awaitPosition(held, Duration.ofSeconds(10))).isTrue();
                assertThat(runner.deadLetters()).hasSize(2);
                assertThat(runner.deadLetters().getFirst().error()).contains("does not decode");

                assertThat(runner.skip("account-x", Duration.ofSeconds(10))).isEqualTo(2);
                assertThat(model.balance.get("account-x")).isEqualTo(7);
                assertThat(runner.deadLetters()).isEmpty();
            }
        }

        @Test
        void changesAreToldAfterEachEventIsApplied() throws Exception {
            List<Change> changes = new CopyOnWriteArrayList<>();
            try (var runner = runner(memory()).build().start()) {
                runner.changes(changes::add);
                long position = deposit("7", 70);
                assertThat(runner.awaitPosition(position, Duration.ofSeconds(10)))
                        .isTrue();
                assertThat(changes).singleElement().satisfies(c -> {
                    assertThat(c.stream()).isEqualTo("account-7");
                    assertThat(c.position()).isEqualTo(position);
                    assertThat(c.type()).isEqualTo("Deposited");
                    assertThat(c.projection()).isEqualTo("balances");
                });
            }
        }

        @Test
        void aRebuildEmptiesTheModelAndReplaysEverythingWithProgress() throws Exception {
            long last = seed();
            List<ProjectionProgress> seen = new ArrayList<>();
            try (var runner = runner(memory()).build().start()) {
                assertThat(runner.awaitPosition(last, Duration.ofSeconds(10))).isTrue();
                model.balance.put("account-1", 999_999L); // damage the model

                runner.rebuild(seen::add, Duration.ofSeconds(10));

                assertThat(model.balance.get("account-1")).isEqualTo(sumOf(1));
                assertThat(model.calls).hasValue(400);
                assertThat(seen.getLast().fraction()).isEqualTo(1.0);
                assertThat(seen.getLast().bar(10)).startsWith("[##########] 100%");
            }
        }

        @Test
        void badSettingsAreRefused() {
            assertThatThrownBy(() -> ProjectionRunner.builder(store, "$x", codec, memory()))
                    .hasMessageContaining("must not be blank or start with $");
            assertThatThrownBy(() -> runner(memory()).partitions(0))
                    .hasMessageContaining("partitions must be 1 to 1024");
            assertThatThrownBy(() -> runner(memory()).leases(Duration.ofMillis(5)))
                    .hasMessageContaining("at least 100 ms");
        }
    }
}
