package io.factum.engine.internal.index;

import java.nio.ByteBuffer;

/**
 * A bloom filter over the distinct stream hashes of one index file, so that a lookup of a stream
 * absent from the file costs no IO. With b bits per key and k = round(b ln 2) probes the false
 * positive rate is about 0.6185^b: 10 bits per key give about 0.8 %.
 *
 * <p>Probes use double hashing on a re-mixed copy of the key, so the filter stays sound (never a
 * false negative) and useful even for a test hash function that maps many names to one value.
 * Immutable once built; thread-safe for reads.
 */
final class BloomFilter {
    private final long[] words;
    private final int hashes;
    private final long bits;

    private BloomFilter(long[] words, int hashes) {
        this.words = words;
        this.hashes = hashes;
        this.bits = words.length * 64L;
    }

    static BloomFilter create(long keys, int bitsPerKey) {
        long wanted = Math.max(64, keys * bitsPerKey);
        long words = (wanted + 63) / 64;
        if (words > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("bloom filter of " + words + " words is too large");
        }
        int k = (int) Math.max(1, Math.min(32, Math.round(bitsPerKey * Math.log(2))));
        return new BloomFilter(new long[(int) words], k);
    }

    static BloomFilter decode(ByteBuffer buf, int words, int hashes) {
        long[] w = new long[words];
        buf.asLongBuffer().get(w);
        buf.position(buf.position() + words * 8);
        return new BloomFilter(w, hashes);
    }

    void add(long key) {
        long h = StreamHasher.avalanche(key ^ 0x5BD1E9955BD1E995L);
        long h1 = h & 0xFFFFFFFFL;
        long h2 = (h >>> 32) | 1;
        for (int i = 0; i < hashes; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            words[(int) (bit >>> 6)] |= 1L << bit;
        }
    }

    boolean mightContain(long key) {
        long h = StreamHasher.avalanche(key ^ 0x5BD1E9955BD1E995L);
        long h1 = h & 0xFFFFFFFFL;
        long h2 = (h >>> 32) | 1;
        for (int i = 0; i < hashes; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bits);
            if ((words[(int) (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
        }
        return true;
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
