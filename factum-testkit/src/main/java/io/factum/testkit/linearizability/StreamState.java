package io.factum.testkit.linearizability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.function.ToLongFunction;

/**
 * The model's state for one stream: its event ids in version order, as an immutable linked list of append batches that
 * shares its prefix with the state it grew from.
 *
 * <p>The search holds hundreds of thousands of states at once in its cache, each a stream of up to a few thousand
 * ids, so copying lists would cost gigabytes; a new state costs one node instead. Each node also carries the last
 * version and a running hash of all ids so far, which make the cache's hash and most inequality checks O(1). The hash
 * only ever rules states out: {@link #sameIds} and {@link #idsEqual} compare the real ids whenever version and hash
 * agree, so a collision costs time, never a wrong verdict.
 *
 * <p>Immutable and thread-safe.
 */
final class StreamState {
    private static final StreamState EMPTY = new StreamState();

    /** The state this one grew from; {@code null} only in {@link #EMPTY}, which every walk stops at. */
    private final StreamState previous;

    /** The ids of one append, never empty except in {@link #EMPTY}. */
    private final UUID[] batch;

    private final long lastVersion;
    private final long hash;

    private StreamState() {
        this.previous = null;
        this.batch = new UUID[0];
        this.lastVersion = -1;
        this.hash = 0;
    }

    private StreamState(StreamState previous, UUID[] batch, long hash) {
        this.previous = previous;
        this.batch = batch;
        this.lastVersion = previous.lastVersion + batch.length;
        this.hash = hash;
    }

    static StreamState empty() {
        return EMPTY;
    }

    /** The version of the last event, -1 when the stream is empty. */
    long lastVersion() {
        return lastVersion;
    }

    /** A hash of all ids in order; equal id lists have equal hashes, whatever their batches. */
    long hash() {
        return hash;
    }

    /** Folds one more id into a running hash; {@link #append} and the reads' precomputed hashes both use this. */
    static long extend(long hash, UUID id, ToLongFunction<UUID> idHash) {
        // An odd 64-bit multiplier keeps the fold a bijection of the previous hash, so prefixes do not collapse.
        return hash * 0x9E3779B97F4A7C15L + idHash.applyAsLong(id);
    }

    /** This state with {@code ids} appended as one batch; the array is owned by the new state from now on. */
    StreamState append(UUID[] ids, ToLongFunction<UUID> idHash) {
        if (ids.length == 0) {
            return this;
        }
        long next = hash;
        for (UUID id : ids) {
            next = extend(next, id, idHash);
        }
        return new StreamState(this, ids, next);
    }

    /** Whether both states hold the same ids in the same order. */
    boolean sameIds(StreamState other) {
        if (this == other) {
            return true;
        }
        if (lastVersion != other.lastVersion || hash != other.hash) {
            return false;
        }
        // Walk both lists from the end in lockstep. Equal lengths mean both cursors have the same number of ids left
        // at every step, so once they stand on the same node the rest is the very same shared prefix.
        StreamState a = this;
        StreamState b = other;
        int i = a.batch.length - 1;
        int j = b.batch.length - 1;
        while (a != b) {
            if (!a.batch[i].equals(b.batch[j])) {
                return false;
            }
            if (--i < 0) {
                a = a.previous;
                i = a.batch.length - 1;
            }
            if (--j < 0) {
                b = b.previous;
                j = b.batch.length - 1;
            }
        }
        return true;
    }

    /** Whether this state holds exactly {@code ids}, whose running hash the caller computed with the same function. */
    boolean idsEqual(UUID[] ids, long idsHash) {
        if (lastVersion != ids.length - 1 || hash != idsHash) {
            return false;
        }
        int k = ids.length - 1;
        for (StreamState s = this; s != EMPTY; s = s.previous) {
            for (int i = s.batch.length - 1; i >= 0; i--, k--) {
                if (!s.batch[i].equals(ids[k])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** All ids in version order; for explanations only, since it copies the whole stream. */
    List<UUID> ids() {
        List<UUID> reversed = new ArrayList<>();
        for (StreamState s = this; s != EMPTY; s = s.previous) {
            for (int i = s.batch.length - 1; i >= 0; i--) {
                reversed.add(s.batch[i]);
            }
        }
        Collections.reverse(reversed);
        return reversed;
    }
}
