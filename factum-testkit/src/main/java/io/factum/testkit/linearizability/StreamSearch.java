package io.factum.testkit.linearizability;

import io.factum.testkit.linearizability.Operation.Input;
import io.factum.testkit.linearizability.Operation.Output;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * The search for a linearization of one stream's sub-history; {@link LinearizabilityChecker} describes the algorithm.
 *
 * <p>Single use and not thread-safe: one thread calls {@link #run} once.
 */
final class StreamSearch {
    /**
     * How many search steps pass between two looks at the clock. One step costs well under a microsecond, so 4,096 of
     * them keep a timeout accurate to a few milliseconds while the clock read stays out of the profile.
     */
    private static final int CLOCK_EVERY_STEPS = 4096;

    /**
     * The most memory the memo may take, estimated. An entry costs about 150 bytes (the key, its bitset array's header,
     * one state node, the hash set's node) plus the bitset's words: about 400 bytes for a 2,000-operation stream,
     * so 256 MiB holds some 650,000 entries, while the random linearizable histories of that size in the tests need
     * about one entry per operation. Only a search that is exponential anyway reaches the limit, and it then stops
     * with an Unknown verdict instead of exhausting a CI machine's heap, with two streams searched at once.
     */
    private static final long MEMO_BUDGET_BYTES = 256L << 20;

    private static final long MEMO_ENTRY_OVERHEAD_BYTES = 150;

    // The passes of {@link #run}, in the order they are tried at each point.
    private static final int FORCED_PASS = 0;
    private static final int APPEND_PASS = 1;
    private static final int UNKNOWN_PASS = 2;

    private final String stream;
    private final StreamModel.Step[] steps;
    private final Entry head = new Entry(-1, true, Long.MIN_VALUE);
    private final OpSet placed;
    private final Set<CacheKey> seen = new HashSet<>();
    private final ArrayDeque<Frame> stack = new ArrayDeque<>();
    private final int unknownCount;
    private final long memoEntryLimit;
    private final int[] predecessor;
    private final int[] passOf;
    private StreamState state = StreamState.empty();
    private int unplacedKnown;
    private int unplacedReads;

    // The greatest depth reached and what its first dead end looked like, kept to explain a failure.
    private int deepest;
    private int explainedDepth = -1;
    private DeadEnd deadEnd;

    StreamSearch(String stream, List<Operation> history, ToLongFunction<UUID> idHash) {
        this.stream = stream;
        List<Operation> kept = history.stream().filter(StreamSearch::canMatter).toList();
        Set<UUID> readIds = requireDistinctAppendIds(stream, kept);
        StreamModel model = new StreamModel(idHash);
        this.steps = kept.stream().map(op -> model.prepare(op, readIds)).toArray(StreamModel.Step[]::new);
        this.placed = new OpSet(kept.size());
        this.memoEntryLimit = MEMO_BUDGET_BYTES / (MEMO_ENTRY_OVERHEAD_BYTES + 8L * placed.words.length);
        this.unplacedKnown = (int) kept.stream().filter(Operation::outcomeKnown).count();
        this.unknownCount = kept.size() - unplacedKnown;
        this.unplacedReads = (int)
                kept.stream().filter(op -> op.input() instanceof Input.Read).count();
        this.predecessor = interchangeablePredecessors(steps);
        this.passOf = kept.stream().mapToInt(StreamSearch::passOf).toArray();
        linkEntries(kept);
    }

    /**
     * Orders each group of interchangeable appends (see {@link StreamModel.Step#interchangeableEffect}) by call time
     * and returns, for each operation, the one before it in its group, or -1. The search places a member only after its
     * predecessor, so it tries how many of a group took effect rather than which ones, which turns 2^k subsets into
     * k + 1 counts. This loses no linearization: where a member may take effect, so may any member called no later,
     * and nothing tells their ids apart afterwards.
     */
    private static int[] interchangeablePredecessors(StreamModel.Step[] steps) {
        Map<StreamModel.Effect, List<Integer>> groups = new HashMap<>();
        for (int i = 0; i < steps.length; i++) {
            int op = i;
            steps[i].interchangeableEffect().ifPresent(effect -> groups.computeIfAbsent(effect, e -> new ArrayList<>())
                    .add(op));
        }
        int[] predecessor = new int[steps.length];
        Arrays.fill(predecessor, -1);
        for (List<Integer> group : groups.values()) {
            group.sort(Comparator.comparingLong(
                            (Integer op) -> steps[op].operation().callNanos())
                    .thenComparingInt(op -> op));
            for (int k = 1; k < group.size(); k++) {
                predecessor[group.get(k)] = group.get(k - 1);
            }
        }
        return predecessor;
    }

    /**
     * A read of unknown outcome constrains nothing, and neither does an append of unknown outcome with no events: both
     * could be placed anywhere without changing the state, which is the same as leaving them out.
     */
    private static boolean canMatter(Operation op) {
        return op.outcomeKnown()
                || op.input() instanceof Input.Append append && !append.ids().isEmpty();
    }

    /**
     * The model gives each event id one place in the stream. Two appends that may both write the same id (a client
     * retrying an append of unknown outcome, say) meet the store's idempotency rules instead, which the model does not
     * cover, so they are refused here rather than reported as a violation later. An append refused with
     * WrongExpectedVersion wrote nothing, so a retry may reuse its ids. Returns every id some read returned.
     */
    private static Set<UUID> requireDistinctAppendIds(String stream, List<Operation> ops) {
        Map<UUID, Operation> appendedBy = new HashMap<>();
        Set<UUID> readIds = new HashSet<>();
        for (Operation op : ops) {
            if (op.input() instanceof Input.Append append && !(op.output() instanceof Output.WrongExpectedVersion)) {
                for (UUID id : append.ids()) {
                    Operation earlier = appendedBy.putIfAbsent(id, op);
                    if (earlier != null) {
                        throw new IllegalArgumentException("event id " + id + " is appended twice to stream '" + stream
                                + "', by " + earlier.describe() + " and by " + op.describe()
                                + "; the model needs distinct ids and does not cover idempotent retries");
                    }
                }
            } else if (op.output() instanceof Output.ReadOk ok) {
                readIds.addAll(ok.ids());
            }
        }
        return readIds;
    }

    /**
     * Lays out the calls and returns in one doubly linked list by time. At equal times calls come first, so an
     * operation that returned at the very nanosecond another was called counts as concurrent with it: equal readings of
     * the clock say nothing about order, and assuming none can only make the checker more lenient, never report a
     * violation that did not happen. Operations of unknown outcome have no return entry: they never force a decision.
     */
    private void linkEntries(List<Operation> ops) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            Entry call = new Entry(i, true, op.callNanos());
            entries.add(call);
            if (op.outcomeKnown()) {
                call.match = new Entry(i, false, op.returnNanos());
                entries.add(call.match);
            }
        }
        entries.sort(Comparator.comparingLong((Entry e) -> e.time)
                .thenComparing(e -> !e.call)
                .thenComparingInt(e -> e.op));
        Entry last = head;
        for (Entry e : entries) {
            last.next = e;
            e.prev = last;
            last = e;
        }
    }

    /**
     * Depth-first search over the order of linearization points, after Wing & Gong with Lowe's memoization. The
     * candidates at each point are the calls before the first return in the list. The search places a candidate that
     * fits the current state, provided the resulting (placed set, state) pair is new, unlinks its entries and looks at
     * the new front; when no candidate is left, the operation of that first return finished without a place in this
     * prefix, so it undoes the last placement and tries the candidates after it.
     *
     * <p>Candidates are tried in three passes, which changes the search's speed but not its answer:
     *
     * <ol>
     *   <li>Known outcomes that leave the state as it is (reads, refused appends). Such an operation that fits now can
     *       be moved to now in any linearization that places it later: the operations in between see the same states,
     *       and since it is a candidate, none of them had to come before it. So placing it is a forced move, and when
     *       the search later returns to it, the point it was placed from has failed as a whole. Without this rule a
     *       dozen concurrent reads of one state made the search try each of their 4,096 subsets.
     *   <li>Known outcomes that append.
     *   <li>Unknown outcomes, only when the required operations cannot go on without one. In list order the search
     *       placed every pending unknown append at the first chance and undid them one combination at a time, which
     *       at the end of a 2,000-operation history with thirty of them pending filled the memo.
     * </ol>
     */
    CheckResult run(long deadlineNanos, BooleanSupplier cancelled) {
        Entry entry = head.next;
        int pass = FORCED_PASS;
        long iterations = 0;
        while (unplacedKnown > 0) {
            if (++iterations % CLOCK_EVERY_STEPS == 0) {
                Optional<String> stop = stopReason(deadlineNanos, cancelled);
                if (stop.isPresent()) {
                    return new CheckResult.Unknown("stream '" + stream + "': " + stop.get() + " after " + iterations
                            + " search steps with " + unplacedKnown + " of " + (steps.length - unknownCount)
                            + " completed operations unplaced");
                }
            }
            boolean deadEnd = false;
            if (entry != null && entry.call) {
                Placement placement = passOf[entry.op] == pass ? tryPlace(entry, pass == FORCED_PASS) : Placement.UNFIT;
                if (placement == Placement.PLACED) {
                    entry = head.next;
                    pass = FORCED_PASS;
                } else {
                    // A forced move into a known failure means the current point fails too.
                    deadEnd = placement == Placement.KNOWN_FAILURE && pass == FORCED_PASS;
                    entry = entry.next;
                }
            } else if (pass < UNKNOWN_PASS) {
                entry = head.next;
                pass++;
            } else {
                deadEnd = true;
            }
            if (deadEnd) {
                noteDeadEnd(entry);
                Optional<Entry> undone = backtrackToChoice();
                if (undone.isEmpty()) {
                    return notLinearizable();
                }
                entry = undone.get().next;
                pass = passOf[undone.get().op];
            }
        }
        return new CheckResult.Linearizable();
    }

    private static int passOf(Operation op) {
        if (!op.outcomeKnown()) {
            return UNKNOWN_PASS;
        }
        boolean appends = op.output() instanceof Output.AppendOk
                && op.input() instanceof Input.Append append
                && !append.ids().isEmpty();
        return appends ? APPEND_PASS : FORCED_PASS;
    }

    private Optional<String> stopReason(long deadlineNanos, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            return Optional.of("cancelled");
        } else if (System.nanoTime() - deadlineNanos > 0) {
            return Optional.of("timed out");
        } else if (seen.size() > memoEntryLimit) {
            return Optional.of("memo full (" + seen.size() + " entries, about " + (MEMO_BUDGET_BYTES >> 20) + " MiB)");
        }
        return Optional.empty();
    }

    private enum Placement {
        PLACED,
        UNFIT,
        /** It fits, but the pair it leads to was entered before, and everything after it failed. */
        KNOWN_FAILURE
    }

    private Placement tryPlace(Entry call, boolean forced) {
        StreamModel.Step step = steps[call.op];
        if (step.effectAfterAllReads() && unplacedReads > 0) {
            return Placement.UNFIT;
        }
        if (predecessor[call.op] >= 0 && !placed.contains(predecessor[call.op])) {
            return Placement.UNFIT;
        }
        Optional<StreamState> next = step.apply(state);
        if (next.isEmpty()) {
            return Placement.UNFIT;
        }
        placed.set(call.op);
        // Once the last read is placed, only appends remain, and they look at the version alone.
        boolean idsMatter = unplacedReads - (step.operation().input() instanceof Input.Read ? 1 : 0) > 0;
        if (!seen.add(new CacheKey(placed.words.clone(), placed.hash, next.get(), idsMatter))) {
            placed.clear(call.op);
            return Placement.KNOWN_FAILURE;
        }
        stack.push(new Frame(call, state, forced));
        state = next.get();
        count(step, -1);
        lift(call);
        deepest = Math.max(deepest, stack.size());
        return Placement.PLACED;
    }

    /**
     * Undoes placements up to and including the last one that was a choice, and returns the call it placed; empty
     * when there is none left. Undoing a forced move does not stop there: the point it was forced at has failed.
     */
    private Optional<Entry> backtrackToChoice() {
        while (!stack.isEmpty()) {
            Frame top = stack.pop();
            state = top.before;
            placed.clear(top.call.op);
            count(steps[top.call.op], +1);
            unlift(top.call);
            if (!top.forced) {
                return Optional.of(top.call);
            }
        }
        return Optional.empty();
    }

    private void count(StreamModel.Step step, int delta) {
        if (step.operation().outcomeKnown()) {
            unplacedKnown += delta;
        }
        if (step.operation().input() instanceof Input.Read) {
            unplacedReads += delta;
        }
    }

    /** Unlinks a call and its return; {@link #unlift} undoes it, in reverse order of lifting. */
    private static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    private static void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    // Dancing links: an unlinked entry keeps its own pointers, so relinking in reverse order restores the list.
    private static void unlink(Entry e) {
        e.prev.next = e.next;
        if (e.next != null) {
            e.next.prev = e.prev;
        }
    }

    private static void relink(Entry e) {
        e.prev.next = e;
        if (e.next != null) {
            e.next.prev = e;
        }
    }

    /**
     * Remembers the first dead end at the greatest depth reached: the partial linearization, the state, and the calls
     * that were candidates there. Taken lazily, at dead ends only, because copying the stack each time the search
     * goes deeper would cost O(n²) on every history, not just the failing ones.
     */
    private void noteDeadEnd(Entry blocker) {
        if (stack.size() != deepest || explainedDepth == deepest) {
            return;
        }
        explainedDepth = deepest;
        List<Operation> prefix = new ArrayList<>(stack.size());
        for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
            prefix.add(steps[it.next().call.op].operation());
        }
        List<DeadEnd.Candidate> candidates = new ArrayList<>();
        for (Entry e = head.next; e != null && e != blocker; e = e.next) {
            if (e.call) {
                StreamModel.Step step = steps[e.op];
                boolean waitsForReads = step.effectAfterAllReads() && unplacedReads > 0;
                boolean waitsForTwin = predecessor[e.op] >= 0 && !placed.contains(predecessor[e.op]);
                candidates.add(new DeadEnd.Candidate(step, waitsForReads, waitsForTwin));
            }
        }
        Optional<Operation> blocking = blocker == null ? Optional.empty() : Optional.of(steps[blocker.op].operation());
        deadEnd = new DeadEnd(prefix, state, candidates, blocking);
    }

    private CheckResult notLinearizable() {
        String explanation = deadEnd.explain(stream, steps.length, unknownCount);
        return new CheckResult.NotLinearizable(stream, deadEnd.prefix(), deadEnd.unplaceable(), explanation);
    }

    /** A call or return in the time-ordered list; {@code prev} and {@code next} are the list's links. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;

        /** A call's return entry; {@code null} for returns and for operations of unknown outcome, which have none. */
        Entry match;

        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /** A placement to undo: the call that was placed, the state before it, and whether it was a forced move. */
    private record Frame(Entry call, StreamState before, boolean forced) {}

    /**
     * A memo entry: this set of placed operations reached this state. The hash code mixes the set's Zobrist hash with
     * the state's running hash; equality compares the real set and the real ids, so colliding hashes only cost time.
     * When no read is left to place ({@code idsMatter} false, which the set decides), states with the same version are
     * equal, since every remaining step looks at the version alone.
     */
    private record CacheKey(long[] words, long setHash, StreamState state, boolean idsMatter) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k
                    && setHash == k.setHash
                    && Arrays.equals(words, k.words)
                    && (idsMatter ? state.sameIds(k.state) : state.lastVersion() == k.state.lastVersion());
        }

        @Override
        public int hashCode() {
            long stateHash = idsMatter ? state.hash() : 0;
            return Long.hashCode(StreamModel.mix(setHash ^ stateHash) + state.lastVersion());
        }
    }

    /**
     * The set of placed operations as a bitset with a Zobrist hash: each operation has a random 64-bit key and the
     * set's hash is the XOR of its members' keys, so adding or removing one costs O(1) instead of rehashing the words.
     */
    private static final class OpSet {
        final long[] words;
        long hash;

        OpSet(int size) {
            this.words = new long[(size + 63) / 64];
        }

        void set(int op) {
            words[op >>> 6] |= 1L << op;
            hash ^= key(op);
        }

        boolean contains(int op) {
            return (words[op >>> 6] & (1L << op)) != 0;
        }

        void clear(int op) {
            words[op >>> 6] &= ~(1L << op);
            hash ^= key(op);
        }

        private static long key(int op) {
            return StreamModel.mix(op + 0x9E3779B97F4A7C15L);
        }
    }
}
