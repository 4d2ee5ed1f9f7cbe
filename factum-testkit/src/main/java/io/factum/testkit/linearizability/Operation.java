package io.factum.testkit.linearizability;

import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * One client call against one stream, as a fault-injection test recorded it: what was asked, what came back and
 * when, on the recording machine's monotonic clock ({@code System.nanoTime()}).
 *
 * <p>An operation whose outcome the client never learned (a timeout, a lost connection, "not leader" after the request
 * was sent) has the output {@link Output.Unknown} and the return time {@link Long#MAX_VALUE}: it may have taken effect
 * at any moment after its call, or never. An append that certainly did not reach the store (refused before it was
 * sent) should not be recorded at all. The constructor refuses any other mix of unknown outputs and return times, and
 * outputs that do not belong to the input, because either is a bug in the recorder that would otherwise show up as a
 * confusing verdict.
 *
 * @param clientId the client that issued the call, for descriptions; the checker does not assume that a client's calls
 *     follow one another, since a client moves on after a timeout while its call may still take effect
 * @param input what the client asked for, including the stream
 * @param output what the client saw
 * @param callNanos when the call was issued
 * @param returnNanos when the reply arrived, {@link Long#MAX_VALUE} when it never did
 */
public record Operation(int clientId, Input input, Output output, long callNanos, long returnNanos) {

    public Operation {
        if (returnNanos < callNanos) {
            throw new IllegalArgumentException(
                    "returnNanos " + returnNanos + " is before callNanos " + callNanos + " (client " + clientId + ")");
        }
        boolean unknown = output instanceof Output.Unknown;
        if (unknown != (returnNanos == Long.MAX_VALUE)) {
            throw new IllegalArgumentException("returnNanos must be Long.MAX_VALUE exactly when the output is Unknown,"
                    + " got " + returnNanos + " with " + output + " (client " + clientId + ")");
        }
        boolean fits =
                switch (input) {
                    case Input.Append a ->
                        output instanceof Output.AppendOk || output instanceof Output.WrongExpectedVersion || unknown;
                    case Input.Read r ->
                        output instanceof Output.ReadOk || output instanceof Output.NotFound || unknown;
                };
        if (!fits) {
            throw new IllegalArgumentException(
                    "output " + output + " cannot answer input " + input + " (client " + clientId + ")");
        }
    }

    /** An append or read whose reply arrived at {@code returnNanos}. */
    public static Operation completed(int clientId, Input input, Output output, long callNanos, long returnNanos) {
        return new Operation(clientId, input, output, callNanos, returnNanos);
    }

    /** A call whose outcome the client never learned. */
    public static Operation unknown(int clientId, Input input, long callNanos) {
        return new Operation(clientId, input, new Output.Unknown(), callNanos, Long.MAX_VALUE);
    }

    public String stream() {
        return input.stream();
    }

    public boolean outcomeKnown() {
        return !(output instanceof Output.Unknown);
    }

    /** A one-line description for verdicts; event ids are shortened to their first eight hex digits. */
    public String describe() {
        String end = outcomeKnown() ? Long.toString(returnNanos) : "?";
        return "client " + clientId + " [" + callNanos + ".." + end + "] " + input.describe() + " -> "
                + output.describe();
    }

    /** "1 event", "2 events". */
    static String events(long count) {
        return count == 1 ? "1 event" : count + " events";
    }

    /** Up to six ids in full; longer lists as their first and last three, since a stale read differs at its end. */
    static String shortIds(List<UUID> ids) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < ids.size(); i++) {
            if (ids.size() > 6 && i == 3) {
                text.append(", ... ").append(ids.size() - 6).append(" more");
                i = ids.size() - 4;
                continue;
            }
            text.append(i == 0 ? "" : ", ").append(ids.get(i).toString(), 0, 8);
        }
        return text.append(']').toString();
    }

    /** What a client asked for. */
    public sealed interface Input {
        String stream();

        String describe();

        /** Append {@code ids} to {@code stream} if {@code expected} holds; the ids of one stream are all distinct. */
        record Append(String stream, Expectation expected, List<UUID> ids) implements Input {
            public Append {
                ids = List.copyOf(ids);
            }

            @Override
            public String describe() {
                return "append(" + stream + ", " + expected + ", " + shortIds(ids) + ")";
            }
        }

        /** Read the whole stream. */
        record Read(String stream) implements Input {
            @Override
            public String describe() {
                return "read(" + stream + ")";
            }
        }
    }

    /** The condition an append puts on the stream's last version; -1 stands for an empty stream. */
    public sealed interface Expectation {
        boolean holdsAt(long lastVersion);

        /** No condition. */
        record Any() implements Expectation {
            @Override
            public boolean holdsAt(long lastVersion) {
                return true;
            }

            @Override
            public String toString() {
                return "ANY";
            }
        }

        /** The stream must be empty. */
        record NoStream() implements Expectation {
            @Override
            public boolean holdsAt(long lastVersion) {
                return lastVersion == -1;
            }

            @Override
            public String toString() {
                return "NO_STREAM";
            }
        }

        /** The stream must hold at least one event; the store's API has it, so the model has it too. */
        record StreamExists() implements Expectation {
            @Override
            public boolean holdsAt(long lastVersion) {
                return lastVersion >= 0;
            }

            @Override
            public String toString() {
                return "STREAM_EXISTS";
            }
        }

        /** The stream's last event must have exactly this version. */
        record Exact(long version) implements Expectation {
            public Exact {
                if (version < 0) {
                    throw new IllegalArgumentException("Exact version must be >= 0, got " + version);
                }
            }

            @Override
            public boolean holdsAt(long lastVersion) {
                return lastVersion == version;
            }

            @Override
            public String toString() {
                return "EXACT(" + version + ")";
            }
        }
    }

    /** What a client saw. */
    public sealed interface Output {
        String describe();

        /** The append was written; its last event has version {@code lastVersion}. */
        record AppendOk(long lastVersion) implements Output {
            @Override
            public String describe() {
                return "Ok(" + lastVersion + ")";
            }
        }

        /**
         * The expectation did not hold. The store names the stream's actual version, but a recorder may not have
         * kept it; when present it must match.
         */
        record WrongExpectedVersion(OptionalLong actualVersion) implements Output {
            public static WrongExpectedVersion unreported() {
                return new WrongExpectedVersion(OptionalLong.empty());
            }

            public static WrongExpectedVersion actual(long version) {
                return new WrongExpectedVersion(OptionalLong.of(version));
            }

            @Override
            public String describe() {
                return actualVersion.isPresent()
                        ? "WrongExpectedVersion(actual " + actualVersion.getAsLong() + ")"
                        : "WrongExpectedVersion";
            }
        }

        /**
         * The stream's event ids in version order. A read of an empty stream answers {@link NotFound}, so this list
         * is never empty.
         */
        record ReadOk(List<UUID> ids) implements Output {
            public ReadOk {
                ids = List.copyOf(ids);
                if (ids.isEmpty()) {
                    throw new IllegalArgumentException("ReadOk ids must not be empty; an empty stream reads NotFound");
                }
            }

            @Override
            public String describe() {
                return "ReadOk(" + events(ids.size()) + " " + shortIds(ids) + ")";
            }
        }

        /** The stream has no events. */
        record NotFound() implements Output {
            @Override
            public String describe() {
                return "NotFound";
            }
        }

        /** The client never learned the outcome. */
        record Unknown() implements Output {
            @Override
            public String describe() {
                return "Unknown";
            }
        }
    }
}
