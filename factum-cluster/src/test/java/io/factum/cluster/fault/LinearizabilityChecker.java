package io.factum.cluster.fault;

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
 * Event ids must be distinct within a stream; the store's idempotent handling of a re-appended id is outside the
 * model, and such histories are refused with an {@link IllegalArgumentException}.
 *
 * <h2>The search</h2>
 *
 * Linearizability is local: a history is linearizable exactly when each object's sub-history is. The checker therefore
 * splits the history by stream and searches each sub-history on its own, in parallel, which turns one search over
 * thousands of operations into several smaller ones.
 *
 * <p>For one stream, every operation contributes a call entry and, if its outcome is known, a return entry; the entries
 * form one doubly linked list in time order, with calls before returns at equal times (equal readings of the clock say
 * nothing about order, so the checker treats such operations as concurrent, the lenient choice). The search walks the
 * list from the front. At a call it asks the model whether that operation, with its recorded output, can follow the
 * current state; if so, it places the operation (its linearization point is now), removes both its entries from the
 * list and starts again from the front. At a return it has reached an operation that finished without being placed,
 * so the current prefix is wrong: it takes back the last placement, restores that operation's entries, and tries the
 * next call after it. The history is linearizable once every operation of known outcome is placed; operations of unknown
 * outcome still unplaced then are the ones that never took effect. It is not linearizable when a return is reached
 * with nothing left to take back.
 *
 * <p>Without memory this search is exponential in the number of concurrent operations. Two different orders of the same
 * set of operations often reach the same state, though (two reads, say, or an append placed before or after a
 * read that fails either way), and what can follow depends only on that set and that state. The search therefore
 * remembers every (set of placed operations, state) pair it has entered and never enters one twice. The set is a
 * bitset with a Zobrist hash; the state is a {@link StreamState}, an immutable list of batches shared between states,
 * with its last version and a running hash of its ids. Hashes only pick the bucket: two keys are equal only when the
 * bitsets are equal and the actual ids are, so a collision slows the search and never lets a wrong history pass.
 *
 * <p>One more rule keeps appends of unknown outcome cheap. Any read placed after such an append took effect would
 * return its ids; if no read in the sub-history returned them, the append can only take effect after the last read is
 * placed. Without the rule the search would try each such append, and each subset of them, before every read.
 *
 * <h2>Recording histories that check fast</h2>
 *
 * End each test by reading every stream once more after the faults heal: that read pins down which appends of unknown
 * outcome took effect, and with the rule above leaves the rest nothing to do.
 *
 * <p>Stateless and thread-safe.
 */
public final class LinearizabilityChecker {

    private LinearizabilityChecker() {}

    /**
     * Checks a history of operations on any number of streams, spending at most about {@code timeout} in total.
     *
     * @return {@link CheckResult.NotLinearizable} for the first failing stream in name order if any stream fails,
     *     else {@link CheckResult.Unknown} if any search ran out of time, else {@link CheckResult.Linearizable}
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
