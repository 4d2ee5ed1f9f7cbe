package io.factum.engine.internal.store;

import java.util.Arrays;
import java.util.UUID;

/**
 * The first event id of recent appends and where they went, so that a retried append with {@code
 * ExpectedVersion.any()} (which names no place to compare against) is recognised and not written
 * twice. Exact expectations never need it: they are checked against the log, whatever their age.
 *
 * <p>Two generations of open-addressing tables in flat {@code long} arrays (id, stream hash,
 * version per slot): a lookup touches one cache line and allocates nothing, which matters because
 * the writer thread does a lookup and an insert for every append. When the current generation is
 * full it becomes the previous one and the old previous one is dropped whole, so the cache always
 * remembers at least the newest {@code capacity / 2} batches and at most {@code capacity}.
 *
 * <p>A hit only names a candidate version: the decider then compares every id of the batch with
 * the stored events, so a stream-hash collision can never make a new batch look like a retry.
 *
 * <p>Not thread-safe: used only from the writer thread.
 */
final class IdempotencyCache {
    private static final int SLOT_LONGS = 4;
    private static final long NOT_FOUND = -1;

    private final int generationEntries;
    private long[] current;
    private long[] previous;
    private int currentEntries;

    IdempotencyCache(int capacity) {
        this.generationEntries = Math.max(capacity / 2, 0);
        int slots = generationEntries == 0 ? 0 : Integer.highestOneBit(Math.max(generationEntries, 1) * 2 - 1) << 1;
        this.current = new long[slots * SLOT_LONGS];
        this.previous = new long[slots * SLOT_LONGS];
    }

    void remember(UUID eventId, String stream, long version) {
        if (generationEntries == 0 || isNil(eventId)) {
            return;
        }
        if (currentEntries == generationEntries) {
            long[] recycled = previous;
            Arrays.fill(recycled, 0L);
            previous = current;
            current = recycled;
            currentEntries = 0;
        }
        long streamHash = hash(stream);
        int slot = probe(current, eventId, streamHash);
        if (current[slot] == 0 && current[slot + 1] == 0) {
            currentEntries++;
        }
        current[slot] = eventId.getMostSignificantBits();
        current[slot + 1] = eventId.getLeastSignificantBits();
        current[slot + 2] = streamHash;
        current[slot + 3] = version;
    }

    /** The version at which this id was recently written to this stream, or -1. */
    long versionOf(UUID eventId, String stream) {
        if (generationEntries == 0 || isNil(eventId)) {
            return NOT_FOUND;
        }
        long streamHash = hash(stream);
        long found = lookup(current, eventId, streamHash);
        return found != NOT_FOUND ? found : lookup(previous, eventId, streamHash);
    }

    private static long lookup(long[] table, UUID eventId, long streamHash) {
        int slot = probe(table, eventId, streamHash);
        boolean occupied = table[slot] != 0 || table[slot + 1] != 0;
        return occupied ? table[slot + 3] : NOT_FOUND;
    }

    /**
     * The slot holding this id in this stream, or the empty slot where it would go (linear probing,
     * load <= 1/2). The same id in two streams takes two slots, so remembering one never hides the
     * other: what a lookup finds depends only on what was remembered, not on when.
     */
    private static int probe(long[] table, UUID id, long streamHash) {
        long msb = id.getMostSignificantBits();
        long lsb = id.getLeastSignificantBits();
        int mask = table.length / SLOT_LONGS - 1;
        int i = (int) mix(msb ^ lsb ^ streamHash) & mask;
        while (true) {
            int slot = i * SLOT_LONGS;
            boolean empty = table[slot] == 0 && table[slot + 1] == 0;
            if (empty || (table[slot] == msb && table[slot + 1] == lsb && table[slot + 2] == streamHash)) {
                return slot;
            }
            i = (i + 1) & mask;
        }
    }

    /** The nil UUID marks an empty slot, so it is never cached (a client sending it gets no dedupe). */
    private static boolean isNil(UUID id) {
        return id.getMostSignificantBits() == 0 && id.getLeastSignificantBits() == 0;
    }

    /** 64-bit FNV-1a over the name's chars: cheap, and collisions are harmless (see class doc). */
    private static long hash(String stream) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < stream.length(); i++) {
            h ^= stream.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
