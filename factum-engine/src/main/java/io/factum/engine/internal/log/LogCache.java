package io.factum.engine.internal.log;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.StampedLock;
import org.jspecify.annotations.Nullable;

/**
 * The newest bytes of the log, kept in memory as the writer writes them, so that reading a record
 * written moments ago costs a memory copy instead of a system call. Those are the reads that come
 * in bulk: a decider reading the events its decision depends on, a live subscription following the
 * head, the writer's own idempotency and metadata look-ups.
 *
 * <p>The cache holds file bytes, not decoded records: readers go through the same {@link
 * FrameCursor} either way (frame walk, CRC32C and record checks, decoding), so a read served from
 * memory returns exactly what the same read from the file returns, and readers keep their own
 * copies of what they decode.
 *
 * <p>Memory is a bounded pool of fixed-size blocks, allocated on demand (a small store never
 * allocates the whole budget) and recycled oldest first once the budget is reached. Each block
 * caches one aligned range of one segment file, from the first byte written into it.
 *
 * <p>Thread-safety: only the writer thread calls {@link #put}; any thread calls {@link #read}.
 * Readers never take a lock: they read a block optimistically and validate its stamp after the
 * copy, so a block recycled under a reader turns that read into a miss (and a file read) instead
 * of wrong bytes. Bytes a reader asks for were written before the segment's readable end was
 * published, which readers read before they read here.
 */
final class LogCache {
    static final int BLOCK_SHIFT = 18;

    /** 256 KiB: small enough that segments of tests and small stores do not waste much of one. */
    static final int BLOCK_BYTES = 1 << BLOCK_SHIFT;

    private static final LogCache DISABLED = new LogCache(0);

    /** The smallest record (no names, data, metadata or tags), for sizing the offsets ring. */
    private static final int MIN_RECORD_BYTES = RecordCodec.FIXED_BYTES;

    private static final int INITIAL_OFFSET_SLOTS = 1 << 10;

    private final int maxBlocks;
    /** Blocks in use, oldest first. Writer thread only. */
    private final ArrayDeque<Block> inUse = new ArrayDeque<>();

    /**
     * Where recent records start in their segment files, by {@code position & (length - 1)}; 0 =
     * unknown (no record starts inside a segment header). A slot may hold an older position's
     * offset, so a reader checks the record it finds there (its position, structure and CRC32C)
     * and takes the ordinary walk from the sparse index when it is not the one wanted. Grows, by
     * the writer, up to as many slots as the blocks can hold records.
     */
    private volatile int[] recordOffsets = new int[0];

    private final int maxOffsetSlots;
    /** Newest position with a slot (-1: none). Writer thread only. */
    private long newestOffsetPosition = -1;

    /** Oldest position the ring held when it last changed size. Writer thread only. */
    private long firstOffsetPosition;

    private LogCache(int maxBlocks) {
        this.maxBlocks = maxBlocks;
        long records = ((long) maxBlocks << BLOCK_SHIFT) / MIN_RECORD_BYTES;
        this.maxOffsetSlots = maxBlocks == 0 ? 0 : (int) Math.min(1 << 30, Long.highestOneBit(records - 1) << 1);
    }

    /** A cache of at most {@code bytes} (rounded down to whole blocks; under one block: none). */
    static LogCache ofBytes(long bytes) {
        long blocks = bytes >> BLOCK_SHIFT;
        return blocks == 0 ? DISABLED : new LogCache((int) Math.min(Integer.MAX_VALUE, blocks));
    }

    static LogCache disabled() {
        return DISABLED;
    }

    /** Most bytes this cache holds. */
    long capacityBytes() {
        return (long) maxBlocks << BLOCK_SHIFT;
    }

    /** Bytes of block memory allocated so far (never more than {@link #capacityBytes()}). */
    long allocatedBytes() {
        return (long) inUse.size() << BLOCK_SHIFT;
    }

    /**
     * Writer: records that the file bytes {@code [offset, offset + length)} of {@code segment} are
     * {@code src[srcIndex, srcIndex + length)}. Calls for one segment come in increasing, adjacent
     * ranges (the file is written append-only).
     */
    void put(Segment segment, long offset, ByteBuffer src, int srcIndex, int length) {
        if (maxBlocks == 0) {
            return;
        }
        while (length > 0) {
            int index = (int) (offset >> BLOCK_SHIFT);
            int within = (int) (offset & (BLOCK_BYTES - 1));
            Block block = segment.cachedBlock(index);
            if (block == null) {
                block = claim(segment, index, within);
            }
            int n = Math.min(length, BLOCK_BYTES - within);
            src.get(srcIndex, block.bytes, within, n);
            offset += n;
            srcIndex += n;
            length -= n;
        }
    }

    /**
     * Writer: the record at {@code position} starts at byte {@code offset} of its segment file.
     * Positions come in increasing order.
     */
    void putRecordOffset(long position, long offset) {
        if (maxOffsetSlots == 0) {
            return;
        }
        int[] slots = recordOffsets;
        if (slots.length == 0) {
            slots = new int[Math.min(INITIAL_OFFSET_SLOTS, maxOffsetSlots)];
            recordOffsets = slots;
            firstOffsetPosition = position;
        } else if (slots.length < maxOffsetSlots && position - firstOffsetPosition >= slots.length) {
            slots = grown(slots);
        }
        // An offset an int cannot hold (segments over 2 GiB) clears the slot: no hint, the walk.
        slots[(int) (position & (slots.length - 1))] = offset > Integer.MAX_VALUE ? 0 : (int) offset;
        newestOffsetPosition = position;
    }

    /** Twice the slots, holding the newest positions' offsets; published for readers. */
    private int[] grown(int[] slots) {
        int[] bigger = new int[slots.length * 2];
        long oldest = Math.max(firstOffsetPosition, newestOffsetPosition - slots.length + 1);
        for (long p = oldest; p <= newestOffsetPosition; p++) {
            bigger[(int) (p & (bigger.length - 1))] = slots[(int) (p & (slots.length - 1))];
        }
        recordOffsets = bigger;
        firstOffsetPosition = oldest;
        return bigger;
    }

    /**
     * Where the record at {@code position} may start in its segment file, or -1 when the cache
     * has no idea. A hint only: the caller checks the record it finds there.
     */
    long recordOffset(long position) {
        int[] slots = recordOffsets;
        if (slots.length == 0) {
            return -1;
        }
        int offset = slots[(int) (position & (slots.length - 1))];
        return offset == 0 ? -1 : offset;
    }

    /** A block for {@code segment}'s block {@code index}, valid from {@code from}: new or recycled. */
    private Block claim(Segment segment, int index, int from) {
        Block block = inUse.size() < maxBlocks ? new Block() : inUse.removeFirst();
        long stamp = block.lock.writeLock();
        try {
            if (block.segment != null) {
                block.segment.uncacheBlock(block.index, block);
            }
            block.segment = segment;
            block.index = index;
            block.from = from;
        } finally {
            block.lock.unlockWrite(stamp);
        }
        segment.cacheBlock(index, block);
        inUse.addLast(block);
        return block;
    }

    /**
     * Whether {@code offset} of {@code segment} is cached, as a hint for how much to read at once:
     * unsynchronised, so the block may be recycled right after; {@link #read} is what validates.
     */
    boolean holds(Segment segment, long offset) {
        Block block = segment.cachedBlock((int) (offset >> BLOCK_SHIFT));
        return block != null && (offset & (BLOCK_BYTES - 1)) >= block.from;
    }

    /**
     * Copies cached bytes of {@code segment} from {@code offset} into {@code dst}: as many as
     * {@code dst} has room for, up to the end of the block that holds {@code offset}.
     *
     * @return bytes copied, or -1 when the cache does not hold {@code offset} (read the file)
     */
    int read(Segment segment, ByteBuffer dst, long offset) {
        int index = (int) (offset >> BLOCK_SHIFT);
        Block block = segment.cachedBlock(index);
        if (block == null) {
            return -1;
        }
        long stamp = block.lock.tryOptimisticRead();
        int within = (int) (offset & (BLOCK_BYTES - 1));
        if (stamp == 0 || block.segment != segment || block.index != index || within < block.from) {
            return -1;
        }
        int start = dst.position();
        int n = Math.min(dst.remaining(), BLOCK_BYTES - within);
        dst.put(block.bytes, within, n);
        if (!block.lock.validate(stamp)) {
            dst.position(start);
            return -1;
        }
        return n;
    }

    /**
     * A block's bytes lent to a reader to decode in place (index 0 is file offset {@code start},
     * the block's first byte), valid from {@code start + from}. What the reader decodes counts only if
     * {@link #valid()} still holds afterwards.
     */
    record Window(ByteBuffer view, long start, int from, Block block, long stamp) {
        boolean valid() {
            return block.lock.validate(stamp);
        }
    }

    /**
     * The block holding {@code [offset, offset + length)} of {@code segment} as a {@link Window},
     * or null when no single cached block holds all of it.
     */
    @Nullable
    Window window(Segment segment, long offset, int length) {
        int index = (int) (offset >> BLOCK_SHIFT);
        Block block = segment.cachedBlock(index);
        if (block == null) {
            return null;
        }
        long stamp = block.lock.tryOptimisticRead();
        int within = (int) (offset & (BLOCK_BYTES - 1));
        if (stamp == 0 || block.segment != segment || block.index != index || within < block.from) {
            return null;
        }
        if (within + length > BLOCK_BYTES) {
            return null;
        }
        Window window = new Window(block.view, (long) index << BLOCK_SHIFT, block.from, block, stamp);
        // The owner fields were read optimistically: only a stamp still valid makes them this block's.
        return window.valid() ? window : null;
    }

    /** One cached range of one segment file; its owner fields change only under its write lock. */
    static final class Block {
        final byte[] bytes = new byte[BLOCK_BYTES];
        /**
         * The bytes as readers see them. Shared by every reader, so readers use absolute reads
         * only and never change its position or limit (cursors keep their own bounds).
         */
        final ByteBuffer view = ByteBuffer.wrap(bytes);

        final StampedLock lock = new StampedLock();
        Segment segment;
        int index;
        /** First byte of the block that was written (a block may start mid-range after an open). */
        int from;
    }
}
