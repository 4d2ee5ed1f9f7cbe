package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.framework.projection.EventEnvelope;
import io.factum.framework.projection.PartitionStatus;
import io.factum.framework.projection.ProjectionRunner;
import io.factum.framework.projection.StoreCheckpointSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several runners of one projection in one process, sharing its partitions through leases. */
class ProjectionLeasesTest {
    @TempDir
    Path dir;

    EventStore store;
    final Map<Long, String> appliedBy = new ConcurrentHashMap<>();
    final Set<Long> twice = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void open() throws Exception {
        store = OnEachStore.embedded(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    ProjectionRunner<Account.Event> instance(String id) throws Exception {
        return ProjectionRunner.builder(
                        store,
                        "shared",
                        new Account.Codec(),
                        new StoreCheckpointSink<Account.Event>(store, e -> apply(id, e), () -> {}))
                .partitions(6)
                .instance(id)
                .leases(Duration.ofMillis(400))
                .idleCheckpointInterval(Duration.ofMillis(10))
                .build()
                .start();
    }

    private void apply(String instance, EventEnvelope<Account.Event> e) {
        if (appliedBy.putIfAbsent(e.position(), instance) != null) {
            twice.add(e.position());
        }
    }

    static Set<Integer> running(ProjectionRunner<?> runner) {
        Set<Integer> out = new HashSet<>();
        for (PartitionStatus p : runner.status()) {
            if (p.running()) {
                out.add(p.partition());
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(10);
        }
    }

    long deposits(int count) {
        long last = -1;
        Account.Codec codec = new Account.Codec();
        for (int i = 0; i < count; i++) {
            last = store.append(
                            "account-" + (i % 23),
                            ExpectedVersion.any(),
                            List.of(new EventData(
                                    UUID.randomUUID(),
                                    "Deposited",
                                    codec.encode(new Account.Deposited(1)),
                                    new byte[0],
                                    ContentType.JSON)))
                    .position();
        }
        return last;
    }

    @Test
    void instancesSplitThePartitionsAndTheLastOneTakesOverWhenTheOthersStop() throws Exception {
        try (var a = instance("a");
                var b = instance("b");
                var c = instance("c")) {
            await(
                    () -> running(a).size() == 2
                            && running(b).size() == 2
                            && running(c).size() == 2,
                    Duration.ofSeconds(10),
                    "two partitions each");
            Set<Integer> all = new HashSet<>(running(a));
            all.addAll(running(b));
            all.addAll(running(c));
            assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);

            long first = deposits(300);
            assertThat(a.awaitPosition(first, Duration.ofSeconds(10))).isTrue();
            assertThat(appliedBy.values()).contains("a", "b", "c");

            b.close(); // stops without a word: its leases lapse
            c.close();
            await(() -> running(a).size() == 6, Duration.ofSeconds(10), "a takes every partition");
            long second = deposits(300);
            assertThat(a.awaitPosition(second, Duration.ofSeconds(10))).isTrue();
        }
        assertThat(twice).as("events applied twice").isEmpty();
        assertThat(appliedBy).hasSize(600);
    }

    @Test
    void aNewInstanceGetsItsShareFromTheRunningOnes() throws Exception {
        try (var a = instance("a")) {
            await(() -> running(a).size() == 6, Duration.ofSeconds(10), "a alone runs all");
            try (var b = instance("b")) {
                await(() -> running(a).size() == 3 && running(b).size() == 3, Duration.ofSeconds(10), "three each");
                assertThat(running(a)).doesNotContainAnyElementsOf(running(b));
                long last = deposits(200);
                assertThat(b.awaitPosition(last, Duration.ofSeconds(10))).isTrue();
            }
        }
        assertThat(twice).isEmpty();
        assertThat(appliedBy).hasSize(200);
    }
}
