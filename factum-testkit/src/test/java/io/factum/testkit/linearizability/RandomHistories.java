package io.factum.testkit.linearizability;

import io.factum.testkit.linearizability.Operation.Expectation;
import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Random histories that are linearizable by construction. Each client issues operations one after another; each
 * operation gets a random linearization point inside its interval; replaying the operations in the order of those
 * points against a plain list decides their inputs and outputs. Since a point lies inside its interval, that order
 * respects real time, so it is a linearization of the history.
 *
 * <p>Inputs are chosen at replay time, knowing the state, so that expectations hit and miss in useful proportions.
 */
final class RandomHistories {

    /**
     * @param stream the stream all operations go to
     * @param clients how many clients issue operations concurrently
     * @param operations how many operations, not counting the final read
     * @param readRatio the share of reads among the operations
     * @param unknownRatio the share of appends whose outcome the client never learns; half of them take effect
     * @param finalRead whether a read follows every other operation, as a fault test's last check would
     */
    record Shape(
            String stream, int clients, int operations, double readRatio, double unknownRatio, boolean finalRead) {}

    private RandomHistories() {}

    static List<Operation> linearizable(Random random, Shape shape) {
        List<Slot> slots = schedule(random, shape);
        List<Operation> history = new ArrayList<>();
        List<UUID> state = new ArrayList<>();
        for (Slot slot : slots) {
            boolean read = random.nextDouble() < shape.readRatio() || slot.lastRead();
            history.add(read ? read(shape.stream(), slot, state) : append(random, shape, slot, state));
        }
        return history;
    }

    /** Client intervals and linearization points, in the order of the points. */
    private static List<Slot> schedule(Random random, Shape shape) {
        long[] clientFreeAt = new long[shape.clients()];
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < shape.operations(); i++) {
            int client = random.nextInt(shape.clients());
            long call = clientFreeAt[client] + random.nextInt(50);
            long duration = 1 + random.nextInt(200);
            long point = call + (long) random.nextInt((int) duration + 1);
            slots.add(new Slot(client, call, call + duration, point, false));
            clientFreeAt[client] = call + duration;
        }
        if (shape.finalRead()) {
            long end = slots.stream().mapToLong(s -> s.returnNanos()).max().orElse(0) + 1;
            slots.add(new Slot(0, end, end + 10, end + 5, true));
        }
        slots.sort(Comparator.comparingLong(Slot::point));
        return slots;
    }

    private static Operation read(String stream, Slot slot, List<UUID> state) {
        Output output = state.isEmpty() ? new Output.NotFound() : new Output.ReadOk(state);
        return Operation.completed(slot.client(), new Input.Read(stream), output, slot.callNanos(), slot.returnNanos());
    }

    private static Operation append(Random random, Shape shape, Slot slot, List<UUID> state) {
        long version = state.size() - 1;
        Input.Append input = new Input.Append(shape.stream(), expectation(random, version), ids(random));
        boolean holds = input.expected().holdsAt(version);
        if (random.nextDouble() < shape.unknownRatio()) {
            // An unknown outcome that took effect is indistinguishable, to the client, from one that did not.
            if (holds && random.nextBoolean()) {
                state.addAll(input.ids());
            }
            return Operation.unknown(slot.client(), input, slot.callNanos());
        }
        Output output;
        if (holds) {
            state.addAll(input.ids());
            output = new Output.AppendOk(state.size() - 1);
        } else {
            output = random.nextBoolean()
                    ? Output.WrongExpectedVersion.actual(version)
                    : Output.WrongExpectedVersion.unreported();
        }
        return Operation.completed(slot.client(), input, output, slot.callNanos(), slot.returnNanos());
    }

    private static Expectation expectation(Random random, long version) {
        int pick = random.nextInt(100);
        if (pick < 30) {
            return new Expectation.Any();
        } else if (pick < 70 && version >= 0) {
            return new Expectation.Exact(version);
        } else if (pick < 85) {
            return new Expectation.Exact(Math.max(0, version + random.nextInt(3) - 1));
        } else if (pick < 95) {
            return new Expectation.NoStream();
        }
        return new Expectation.StreamExists();
    }

    private static List<UUID> ids(Random random) {
        List<UUID> ids = new ArrayList<>();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            ids.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return ids;
    }

    private record Slot(int client, long callNanos, long returnNanos, long point, boolean lastRead) {}
}
