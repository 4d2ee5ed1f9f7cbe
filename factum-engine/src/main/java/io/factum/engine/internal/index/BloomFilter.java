package io.factum.engine.internal.index;

import java.nio.ByteBuffer;

/**
 * A bloom filter over the distinct stream hashes of one index file, so that a lookup of a stream
 * absent from the file costs no IO.
 *
 * <p>Cache-line blocked: a key's probes all fall in one 512-bit block (8 longs, one 64-byte cache
 * line), so an insert or a lookup costs one cache miss instead of k. That matters because a flush
 * inserts every stream of the memtable and every cold lookup probes every file. The price is a
 * slightly higher false-positive rate for the same size: about 1.0 % at 10 bits per key with 7
 * probes, against 0.82 % for an unblocked filter.
 *
 * <p>The filter hashes the (already mixed) key again, so it stays sound (never a false negative)
 * and useful for a test hash function that yields small or equal values. Part of the file format:
 * changing the probe function makes old files answer wrongly. Immutable once built; thread-safe for
 * reads.
 */
final class BloomFilter {

    private static final int WORDS_PER_BLOCK = 8;

    /** At most 2^23 blocks = 2^32 bits = 512 MiB. */
    static final long MAX_WORDS = 1L << 26;

    /** Decorrelates the probes from the hash order of the files (any fixed value; part of the format). */
    private static final long SEED = 0x5BD1E9955BD1E995L;

    private final long[] words;
    private final int hashes;
    private final long blocks;

    private BloomFilter(long[] words, int hashes) {
        this.words = words;
        this.hashes = hashes;
        this.blocks = words.length / WORDS_PER_BLOCK;
    }

    static BloomFilter create(long keys, int bitsPerKey) {
        long wantedBits = Math.max(512, keys * bitsPerKey);
        long wantedBlocks = (wantedBits + 511) / 512;
        // Beyond 2^32 bits the filter stays at its maximum and its false-positive rate rises.
        long words = Math.min(MAX_WORDS, wantedBlocks * WORDS_PER_BLOCK);
        int k = (int) Math.max(1, Math.min(32, Math.round(bitsPerKey * Math.log(2))));
        return new BloomFilter(new long[(int) words], k);
    }

    /** Whether a filter of this shape can have been written by {@link #create}. */
    static boolean validShape(long words, int hashes) {
        return words >= WORDS_PER_BLOCK
                && words <= MAX_WORDS
                && words % WORDS_PER_BLOCK == 0
                && hashes >= 1
                && hashes <= 32;
    }

    static BloomFilter decode(ByteBuffer buf, int words, int hashes) {
        if (!validShape(words, hashes)) {
            throw new IllegalArgumentException("no bloom filter has " + words + " words and " + hashes + " probes");
        }
        long[] w = new long[words];
        buf.asLongBuffer().get(w);
        buf.position(buf.position() + words * 8);
        return new BloomFilter(w, hashes);
    }

    void add(long key) {
        long h = StreamHasher.avalanche(key ^ SEED);
        int base = blockBase(h);
        int a = (int) h;
        int b = (int) (h >>> 32) | 1;
        for (int i = 0; i < hashes; i++) {
            int bit = (a + i * b) & 511; // b is odd: up to 512 probes hit distinct bits
            words[base + (bit >>> 6)] |= 1L << bit;
        }
    }

    boolean mightContain(long key) {
        long h = StreamHasher.avalanche(key ^ SEED);
        int base = blockBase(h);
        int a = (int) h;
        int b = (int) (h >>> 32) | 1;
        for (int i = 0; i < hashes; i++) {
            int bit = (a + i * b) & 511;
            if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first word of the key's block. The block comes from a second mix of h, so that it does not
     * correlate with the bits chosen inside the block; multiply-shift maps it onto [0, blocks)
     * without a division (Lemire's range reduction).
     */
    private int blockBase(long h) {
        long g = StreamHasher.avalanche(h) >>> 32;
        return (int) ((g * blocks) >>> 32) * WORDS_PER_BLOCK;
    }

    int wordCount() {
        return words.length;
    }

    int hashCount() {
        return hashes;
    }

    void encodeInto(ByteBuffer buf) {
        for (long w : words) {
            buf.putLong(w);
        }
    }

    long heapBytes() {
        return 16L + words.length * 8L;
    }
}
