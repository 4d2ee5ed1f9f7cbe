package io.factum.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToLongFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random histories that are linearizable by construction must pass; each one, with a single output corrupted in a way
 * that no execution could produce, must fail.
 */
class RandomHistoryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Corruptions that make any history non-linearizable, whatever the rest of it says. */
    enum Corruption {
        /** A read returns an id that no operation appends. */
        PHANTOM_EVENT,
        /** A read returns two ids of one append in swapped order; every state holds a batch in its own order. */
        SWAPPED_BATCH,
        /** A read misses an acknowledged append that returned before the read was called. */
        STALE_READ,
        /** A read returns the ids of an append that was called only after the read returned. */
        READ_FROM_THE_FUTURE,
        /** An acknowledged append reports a version beyond every id appended to the stream. */
        IMPOSSIBLE_VERSION
    }

    private static List<Operation> history(long seed, int streams, int operations, int clients) {
        Random random = new Random(seed);
        List<Operation> history = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            boolean finalRead = random.nextBoolean();
            history.addAll(RandomHistories.linearizable(
                    random, new RandomHistories.Shape("stream-" + s, clients, operations, 0.4, 0.05, finalRead)));
        }
        return history;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void aGeneratedHistoryPassesAndEveryCorruptionOfItFails(long seed) {
        List<Operation> history = history(seed, 2, 300, 8);
        assertThat(LinearizabilityChecker.check(history, TIMEOUT)).isEqualTo(new CheckResult.Linearizable());
        Random random = new Random(seed * 31);
        for (Corruption corruption : Corruption.values()) {
            Optional<List<Operation>> corrupted = corrupt(history, corruption, random);
            corrupted.ifPresent(bad -> assertThat(LinearizabilityChecker.check(bad, TIMEOUT))
                    .as("%s with seed %d", corruption, seed)
                    .isInstanceOf(CheckResult.NotLinearizable.class));
        }
    }

    @Test
    void everyCorruptionFindsSomewhereToApplyAcrossTheSeeds() {
        // The parameterized test skips a corruption that has no target in a history; this keeps that from hiding one.
        Set<Corruption> applied = EnumSet.noneOf(Corruption.class);
        LongStream.rangeClosed(1, 20).forEach(seed -> {
            Random random = new Random(seed * 31);
            for (Corruption corruption : Corruption.values()) {
                if (corrupt(history(seed, 2, 300, 8), corruption, random).isPresent()) {
                    applied.add(corruption);
                }
            }
        });
        assertThat(applied).containsExactlyInAnyOrder(Corruption.values());
    }

    @ParameterizedTest
    @ValueSource(longs = {101, 102, 103, 104, 105})
    void verdictsOnGeneratedHistoriesHoldWhenEveryIdHashCollides(long seed) {
        ToLongFunction<UUID> collide = id -> 0L;
        List<Operation> history = history(seed, 1, 150, 6);
        assertThat(LinearizabilityChecker.check(history, TIMEOUT, collide)).isEqualTo(new CheckResult.Linearizable());
        Random random = new Random(seed);
        for (Corruption corruption : Corruption.values()) {
            corrupt(history, corruption, random)
                    .ifPresent(bad -> assertThat(LinearizabilityChecker.check(bad, TIMEOUT, collide))
                            .as("%s with seed %d", corruption, seed)
                            .isInstanceOf(CheckResult.NotLinearizable.class));
        }
    }

    @Test
    void twoThousandOperationsBySixteenClientsOnEachOfFourStreamsCheckWithinTheTimeout() {
        // Surefire keeps stdout in the report file; the figure is for people, the assertion is only on the verdict.
        List<Operation> history = history(2024, 4, 2_000, 16);
        long start = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history, TIMEOUT);
        System.out.printf(
                "checked %d operations on 4 streams in %d ms%n",
                history.size(), (System.nanoTime() - start) / 1_000_000);
        assertThat(result).isEqualTo(new CheckResult.Linearizable());
    }

    /** The history with one output corrupted, or empty when it offers no target for this corruption. */
    static Optional<List<Operation>> corrupt(List<Operation> history, Corruption corruption, Random random) {
        List<Replacement> targets = targets(history, corruption);
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        Replacement pick = targets.get(random.nextInt(targets.size()));
        List<Operation> corrupted = new ArrayList<>(history);
        Operation old = corrupted.get(pick.index());
        corrupted.set(
                pick.index(),
                Operation.completed(old.clientId(), old.input(), pick.output(), old.callNanos(), old.returnNanos()));
        return Optional.of(corrupted);
    }

    private record Replacement(int index, Output output) {}

    private static List<Replacement> targets(List<Operation> history, Corruption corruption) {
        Map<UUID, Operation> appendOf = new HashMap<>();
        for (Operation op : history) {
            if (op.input() instanceof Input.Append append) {
                append.ids().forEach(id -> appendOf.put(id, op));
            }
        }
        List<Replacement> targets = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            Operation op = history.get(i);
            if (!op.outcomeKnown()) {
                continue;
            }
            switch (corruption) {
                case PHANTOM_EVENT -> {
                    if (op.input() instanceof Input.Read) {
                        List<UUID> ids = new ArrayList<>(readIds(op));
                        ids.add(new UUID(0, i));
                        targets.add(new Replacement(i, new Output.ReadOk(ids)));
                    }
                }
                case SWAPPED_BATCH -> swappedBatch(history.get(i), i, appendOf).ifPresent(targets::add);
                case STALE_READ -> staleRead(history.get(i), i, appendOf).ifPresent(targets::add);
                case READ_FROM_THE_FUTURE -> readFromTheFuture(history, i).ifPresent(targets::add);
                case IMPOSSIBLE_VERSION -> {
                    if (op.output() instanceof Output.AppendOk) {
                        targets.add(new Replacement(i, new Output.AppendOk(appendedIds(history, op.stream()) + 5)));
                    }
                }
            }
        }
        return targets;
    }

    private static Optional<Replacement> swappedBatch(Operation read, int i, Map<UUID, Operation> appendOf) {
        List<UUID> ids = new ArrayList<>(readIds(read));
        for (int k = 0; k + 1 < ids.size(); k++) {
            if (appendOf.get(ids.get(k)) == appendOf.get(ids.get(k + 1))) {
                ids.set(k, ids.set(k + 1, ids.get(k)));
                return Optional.of(new Replacement(i, new Output.ReadOk(ids)));
            }
        }
        return Optional.empty();
    }

    /** Finds, among the appends this read returned, one acknowledged before the read was called, and drops it. */
    private static Optional<Replacement> staleRead(Operation read, int i, Map<UUID, Operation> appendOf) {
        List<UUID> ids = readIds(read);
        for (UUID id : ids) {
            Operation append = appendOf.get(id);
            if (append.output() instanceof Output.AppendOk && append.returnNanos() < read.callNanos()) {
                List<UUID> missing = new ArrayList<>(ids);
                missing.removeAll(((Input.Append) append.input()).ids());
                return Optional.of(new Replacement(i, readOutput(missing)));
            }
        }
        return Optional.empty();
    }

    private static Optional<Replacement> readFromTheFuture(List<Operation> history, int i) {
        Operation read = history.get(i);
        if (!(read.input() instanceof Input.Read)) {
            return Optional.empty();
        }
        for (Operation op : history) {
            if (op.stream().equals(read.stream())
                    && op.input() instanceof Input.Append append
                    && op.callNanos() > read.returnNanos()
                    && !append.ids().isEmpty()) {
                List<UUID> ids = new ArrayList<>(readIds(read));
                ids.addAll(append.ids());
                return Optional.of(new Replacement(i, new Output.ReadOk(ids)));
            }
        }
        return Optional.empty();
    }

    private static List<UUID> readIds(Operation op) {
        return op.output() instanceof Output.ReadOk ok ? ok.ids() : List.of();
    }

    private static Output readOutput(List<UUID> ids) {
        return ids.isEmpty() ? new Output.NotFound() : new Output.ReadOk(ids);
    }

    private static long appendedIds(List<Operation> history, String stream) {
        return history.stream()
                .filter(op -> op.stream().equals(stream) && op.input() instanceof Input.Append)
                .mapToLong(op -> ((Input.Append) op.input()).ids().size())
                .sum();
    }
}
