package io.factum.testkit.linearizability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * Decides whether a recorded history of appends and reads could have come from a store that executes each operation
 * atomically at one instant between its call and its return: whether the history is linearizable.
 *
 * <h2>The model</h2>
 *
 * Streams are independent objects. The state of one stream is its list of event ids in version order; the version of
 * the last event is the list's size minus one, -1 for an empty stream.
 *
 * <ul>
 *   <li>{@code Append(expected, ids)} checks {@code expected} against the last version: ANY always holds, NO_STREAM
 *       holds on an empty stream, STREAM_EXISTS on a non-empty one, EXACT(v) when the last version is v. If it holds
 *       the ids are appended and the output is {@code AppendOk(last version after the append)}; if not, the state is
 *       unchanged and the output is {@code WrongExpectedVersion}, whose actual version, when recorded, must equal the
 *       last version.
 *   <li>{@code Read()} changes nothing and outputs every id of the stream ({@code ReadOk}), or {@code NotFound} when
 *       there is none.
 *   <li>An operation of unknown outcome ({@code Unknown} output, return time +infinity) may take effect at any instant
 *       after its call, even after every other operation returned, or never. An append of unknown outcome that takes
 *       effect appends its ids if its expectation holds at that instant and changes nothing otherwise. Changing
 *       nothing cannot be told apart from never happening, so the search only ever places such an append where its
 *       expectation holds, and otherwise leaves it out. A read of unknown outcome tells nothing and is dropped.
 * </ul>
 *
 * The ids of appends that may have written (all but those refused with {@code WrongExpectedVersion}) must be distinct
 * within a stream: the store's idempotent handling of a re-appended id is outside the model, and such histories are
 * refused with an {@link IllegalArgumentException}.
 *
 * <h2>The search</h2>
 *
 * Linearizability is local: a history is linearizable exactly when each object's sub-history is. The checker therefore
 * splits the history by stream and searches each sub-history on its own, in parallel, which turns one search over
 * thousands of operations into several smaller ones.
 *
 * <p>For one stream, every operation contributes a call entry and, if its outcome is known, a return entry; the entries
 * form one doubly linked list in time order, with calls before returns at equal times (equal readings of the clock say
 * nothing about order, so the checker treats such operations as concurrent, the lenient choice). The calls before the
 * first return are the candidates for the next linearization point: none of them had to wait for an unplaced
 * operation. The search places a candidate whose recorded output the model accepts in the current state, removes its
 * entries from the list and looks at the new front. When no candidate fits, the operation of the first return
 * finished without a place in this prefix, so the search takes back the last placement, restores its entries, and
 * tries the candidates after it. The history is linearizable once every operation of known outcome is placed;
 * operations of unknown outcome still unplaced then are the ones that never took effect. It is not linearizable when
 * the search runs out of placements to take back.
 *
 * <p>Without memory this search is exponential in the number of concurrent operations. Two orders of the same set of
 * operations often reach the same state, though, and what can follow depends only on that set and that state. The
 * search therefore remembers every (set of placed operations, state) pair it has entered and never enters one twice.
 * The set is a bitset with a Zobrist hash; the state is a {@link StreamState}, an immutable list of batches shared
 * between states, with its last version and a running hash of its ids. Hashes only pick the bucket: two keys are equal
 * only when the bitsets are equal and the actual ids are, so a collision slows the search and never lets a wrong
 * history pass. Once no read is left to place, the remaining appends look at the version alone, and so does the memo.
 *
 * <p>Four rules cut the search further without changing any verdict (a test compares the verdicts with an exhaustive
 * search on thousands of small histories):
 *
 * <ul>
 *   <li><b>Forced moves.</b> An operation of known outcome that leaves the state unchanged (a read, a refused append)
 *       and fits now can be moved to now in any linearization that places it later, so placing it is never a wrong
 *       choice and is never revisited. Concurrent reads of one state no longer multiply: before this rule, a dozen of
 *       them made the search try each of their 4,096 subsets.
 *   <li><b>Unknown outcomes last.</b> At each point, candidates of known outcome are tried before those of unknown
 *       outcome, so an optional append is placed only when the required operations cannot go on without it.
 *   <li><b>Unread appends go last.</b> Any read placed after an append took effect would return its ids; so an append
 *       of unknown outcome whose ids no read returned can only take effect after the last read is placed.
 *   <li><b>Interchangeable appends.</b> Among such unread appends, those with the same expectation and the same number
 *       of events differ only in ids that nothing observes; the search takes them in call order, and so tries how
 *       many took effect rather than which ones.
 * </ul>
 *
 * <p>With these, random linearizable histories of 2,000 operations by 16 clients (5% of appends of unknown outcome)
 * check in 0.05–0.5 s per stream, and 5,000 operations by 128 clients in under a second. What remains exponential is
 * many concurrent appends of unknown outcome whose ids reads do return, when no order of them explains those reads:
 * the search must try every order before it may say no. A search that exceeds its time, or the memo's memory budget,
 * answers {@link CheckResult.Unknown}.
 *
 * <h2>Recording histories that check fast</h2>
 *
 * End each test by reading every stream once more after the faults heal: that read pins down which appends of unknown
 * outcome took effect, and leaves the search nothing to guess about the rest.
 *
 * <p>Stateless and thread-safe.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /**
     * Checks a history of operations on any number of streams, spending at most about {@code timeout} in total.
     *
     * @return {@link CheckResult.NotLinearizable} if a stream fails (the first in name order among those found to
     *     fail: the first failure stops the other searches), else {@link CheckResult.Unknown} if a search ran out of
     *     time or memory, else {@link CheckResult.Linearizable}
     * @throws IllegalArgumentException if an event id is appended twice to one stream
     */
    public static CheckResult check(List<Operation> history, Duration timeout) {
        return check(history, timeout, StreamModel::defaultIdHash);
    }

    /** As {@link #check(List, Duration)}, with the id hash replaceable so tests can force every hash to collide. */
    static CheckResult check(List<Operation> history, Duration timeout, ToLongFunction<UUID> idHash) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        Map<String, List<Operation>> byStream =
                history.stream().collect(Collectors.groupingBy(Operation::stream, TreeMap::new, Collectors.toList()));
        // Built here, on the caller's thread, so that a refused history throws to the caller.
        List<StreamSearch> searches = new ArrayList<>();
        byStream.forEach((stream, ops) -> searches.add(new StreamSearch(stream, ops, idHash)));
        return verdict(runAll(searches, deadlineNanos));
    }

    /** Runs the searches on up to one thread per core, and stops the others as soon as one finds a violation. */
    private static List<CheckResult> runAll(List<StreamSearch> searches, long deadlineNanos) {
        if (searches.size() == 1) {
            return List.of(searches.getFirst().run(deadlineNanos, Thread.currentThread()::isInterrupted));
        }
        AtomicBoolean stop = new AtomicBoolean();
        int threads = Math.max(1, Math.min(searches.size(), Runtime.getRuntime().availableProcessors()));
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<CheckResult>> futures = new ArrayList<>();
            for (StreamSearch search : searches) {
                futures.add(pool.submit(() -> {
                    CheckResult result = search.run(deadlineNanos, stop::get);
                    if (result instanceof CheckResult.NotLinearizable) {
                        stop.set(true);
                    }
                    return result;
                }));
            }
            return collect(futures, stop);
        }
    }

    private static List<CheckResult> collect(List<Future<CheckResult>> futures, AtomicBoolean stop) {
        List<CheckResult> results = new ArrayList<>();
        try {
            for (Future<CheckResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            // The searches poll the flag, so the pool's close() returns within milliseconds.
            stop.set(true);
            Thread.currentThread().interrupt();
            return List.of(new CheckResult.Unknown("interrupted while checking"));
        } catch (ExecutionException e) {
            stop.set(true);
            throw new IllegalStateException("a stream search failed", e.getCause());
        }
    }

    private static CheckResult verdict(List<CheckResult> results) {
        for (CheckResult result : results) {
            if (result instanceof CheckResult.NotLinearizable) {
                return result;
            }
        }
        for (CheckResult result : results) {
            if (result instanceof CheckResult.Unknown) {
                return result;
            }
        }
        return new CheckResult.Linearizable();
    }
}
