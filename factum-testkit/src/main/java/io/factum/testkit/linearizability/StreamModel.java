package io.factum.testkit.linearizability;

import io.factum.testkit.linearizability.Operation.Expectation;
import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToLongFunction;

/**
 * The sequential specification of one stream: which operation, with which output, may follow which state, and the
 * state it leaves. {@link LinearizabilityChecker} describes the model in words.
 *
 * <p>Operations are turned into {@link Step}s once per search so that the hot path does no allocation beyond the new
 * state: the ids become arrays and a read's expected running hash is computed up front.
 *
 * <p>Thread-safe; the steps it makes are not (a read step remembers the last state it matched) and belong to one
 * search.
 */
final class StreamModel {
    private final ToLongFunction<UUID> idHash;

    StreamModel(ToLongFunction<UUID> idHash) {
        this.idHash = idHash;
    }

    /** A well-mixed 64-bit hash of an id (the SplitMix64 finalizer over both halves). */
    static long defaultIdHash(UUID id) {
        return mix(id.getMostSignificantBits() ^ mix(id.getLeastSignificantBits()));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Prepares one operation. {@code readIds} are all ids any read of the stream returned: an append of unknown outcome
     * whose ids are not among them cannot have taken effect before any read (see {@link Step#effectAfterAllReads}).
     */
    Step prepare(Operation operation, Set<UUID> readIds) {
        return switch (operation.input()) {
            case Input.Append append -> {
                UUID[] ids = append.ids().toArray(UUID[]::new);
                boolean everRead = append.ids().stream().anyMatch(readIds::contains);
                yield new AppendStep(operation, append.expected(), ids, !operation.outcomeKnown() && !everRead);
            }
            case Input.Read read -> new ReadStep(operation);
        };
    }

    /** One operation, ready to be tried against states. */
    sealed interface Step permits AppendStep, ReadStep {
        Operation operation();

        /** The state after this operation, or empty when its output cannot follow {@code state}. */
        Optional<StreamState> apply(StreamState state);

        /** Why {@link #apply} refuses {@code state}, in words, for verdicts. */
        String refusal(StreamState state);

        /**
         * Whether the operation may only be placed once every read is placed. True for an append of unknown outcome
         * whose ids no read returned: a read returns the whole stream, so any read placed after the append took
         * effect would contain its ids. Enforcing this spares the search from trying such an append at every point of
         * the history, which grows exponentially with the number of them pending at once.
         */
        boolean effectAfterAllReads();

        /**
         * For an operation that may only take effect after every read, what it does to the version: two such appends
         * with the same effect are interchangeable, since nothing ever reads their ids. Empty for every other one.
         */
        Optional<Effect> interchangeableEffect();
    }

    /** What an append that nobody reads does: it checks {@code expected} and adds {@code eventCount} versions. */
    record Effect(Expectation expected, int eventCount) {}

    private final class AppendStep implements Step {
        private final Operation operation;
        private final Expectation expected;
        private final UUID[] ids;
        private final boolean effectAfterAllReads;

        AppendStep(Operation operation, Expectation expected, UUID[] ids, boolean effectAfterAllReads) {
            this.operation = operation;
            this.expected = expected;
            this.ids = ids;
            this.effectAfterAllReads = effectAfterAllReads;
        }

        @Override
        public Operation operation() {
            return operation;
        }

        @Override
        public boolean effectAfterAllReads() {
            return effectAfterAllReads;
        }

        @Override
        public Optional<Effect> interchangeableEffect() {
            return effectAfterAllReads ? Optional.of(new Effect(expected, ids.length)) : Optional.empty();
        }

        @Override
        public Optional<StreamState> apply(StreamState state) {
            boolean holds = expected.holdsAt(state.lastVersion());
            return switch (operation.output()) {
                case Output.AppendOk ok ->
                    holds && ok.lastVersion() == state.lastVersion() + ids.length
                            ? Optional.of(state.append(ids, idHash))
                            : Optional.empty();
                case Output.WrongExpectedVersion wrong ->
                    !holds
                                    && (wrong.actualVersion().isEmpty()
                                            || wrong.actualVersion().getAsLong() == state.lastVersion())
                            ? Optional.of(state)
                            : Optional.empty();
                // An unknown append that fails its expectation changes nothing, which is the same as leaving it out;
                // refusing it here keeps the search from trying every subset of such no-ops at every point.
                case Output.Unknown unknown -> holds ? Optional.of(state.append(ids, idHash)) : Optional.empty();
                case Output.ReadOk r -> throw new IllegalStateException("read output on an append: " + operation);
                case Output.NotFound r -> throw new IllegalStateException("read output on an append: " + operation);
            };
        }

        @Override
        public String refusal(StreamState state) {
            long version = state.lastVersion();
            boolean holds = expected.holdsAt(version);
            return switch (operation.output()) {
                case Output.AppendOk ok ->
                    holds
                            ? "appending " + Operation.events(ids.length) + " at version " + version
                                    + " ends at version " + (version + ids.length) + ", not " + ok.lastVersion()
                            : "expected " + expected + " does not hold at version " + version;
                case Output.WrongExpectedVersion wrong ->
                    holds
                            ? "expected " + expected + " holds at version " + version + ", so the append would succeed"
                            : "the stream is at version " + version + ", not "
                                    + wrong.actualVersion().getAsLong();
                case Output.Unknown unknown ->
                    holds
                            ? "it fits"
                            : "expected " + expected + " does not hold at version " + version
                                    + ", so here it would have no effect";
                default -> "not an append output";
            };
        }
    }

    private final class ReadStep implements Step {
        private final Operation operation;
        private final UUID[] ids;
        private final long idsHash;

        /**
         * The last state this read matched. The search tries the same read against the same shared state object many
         * times while it backtracks over other operations; this turns each repeat of an O(events) comparison into one
         * reference check.
         */
        private StreamState lastMatch;

        ReadStep(Operation operation) {
            this.operation = operation;
            this.ids = operation.output() instanceof Output.ReadOk ok ? ok.ids().toArray(UUID[]::new) : new UUID[0];
            long hash = StreamState.empty().hash();
            for (UUID id : ids) {
                hash = StreamState.extend(hash, id, idHash);
            }
            this.idsHash = hash;
        }

        @Override
        public Operation operation() {
            return operation;
        }

        @Override
        public boolean effectAfterAllReads() {
            return false;
        }

        @Override
        public Optional<Effect> interchangeableEffect() {
            return Optional.empty();
        }

        @Override
        public Optional<StreamState> apply(StreamState state) {
            if (state == lastMatch || state.idsEqual(ids, idsHash)) {
                lastMatch = state;
                return Optional.of(state);
            }
            return Optional.empty();
        }

        @Override
        public String refusal(StreamState state) {
            List<UUID> actual = state.ids();
            List<UUID> read = Arrays.asList(ids);
            if (read.isEmpty()) {
                return "it found no events, but the stream is at version " + state.lastVersion();
            }
            int same = 0;
            while (same < read.size() && same < actual.size() && read.get(same).equals(actual.get(same))) {
                same++;
            }
            if (same == read.size()) {
                return "it misses the stream's last " + Operation.events(actual.size() - same) + ", from "
                        + Operation.shortIds(actual.subList(same, actual.size())) + " (a stale read)";
            } else if (same == actual.size()) {
                return "it has " + Operation.events(read.size() - same) + " the stream does not have yet, from "
                        + Operation.shortIds(read.subList(same, read.size())) + ", at version " + state.lastVersion();
            }
            return "at version " + same + " it has " + Operation.shortIds(List.of(read.get(same)))
                    + " where the stream has " + Operation.shortIds(List.of(actual.get(same)));
        }
    }
}
