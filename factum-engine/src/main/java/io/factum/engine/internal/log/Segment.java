package io.factum.engine.internal.log;

import io.factum.api.RecordedEvent;
import io.factum.engine.CorruptStoreException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One segment file as readers see it: its first position, its sparse index, and how many of its
 * bytes hold complete frames that readers may decode ({@link #readableEnd()}).
 *
 * <p>Thread-safety: the writer thread advances {@code readableEnd} and the index; any thread reads.
 * The writer publishes {@code readableEnd} before it publishes the durable position that covers it,
 * so a reader that reads the durable position first and {@code readableEnd} second never reaches a
 * frame that is incomplete. Readers still bound everything they return by the durable position they
 * read at the start, because {@code readableEnd} may run ahead of it (frames fsynced by a segment
 * roll before the next {@code flush()} publishes them).
 */
final class Segment implements Closeable {
    /** Chunk for forward reads: large enough for many small frames per system call. */
    static final int READ_CHUNK_BYTES = 64 << 10;

    /** Chunk for point reads: one index interval (4 KiB) plus a typical frame. */
    static final int POINT_CHUNK_BYTES = 8 << 10;

    /**
     * Chunk for point reads of bytes the {@link LogCache} holds: a copy costs no system call, so
     * the walk from the index entry copies a frame or two at a time instead of 8 KiB it mostly does
     * not need (allocating and filling 8 KiB per read cost more than the rest of the read).
     */
    static final int CACHED_POINT_CHUNK_BYTES = 1 << 10;

    /** Chunk for scans: large sequential reads; 1 MiB amortises the system call to nothing. */
    static final int SCAN_CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final long firstPosition;
    private final SparseIndex index;
    private final SegmentChannel channel;
    private final LogCache cache;
    private volatile long readableEnd;

    /**
     * This segment's blocks in {@link LogCache}, by block index (null: not cached). The writer
     * replaces the array when it grows and sets or clears elements; readers validate what they
     * find (see {@link LogCache#read}).
     */
    private volatile LogCache.Block[] cachedBlocks = new LogCache.Block[0];

    Segment(
            Path path,
            long firstPosition,
            SparseIndex index,
            SegmentChannel channel,
            LogCache cache,
            long readableEnd) {
        this.path = path;
        this.firstPosition = firstPosition;
        this.index = index;
        this.channel = channel;
        this.cache = cache;
        this.readableEnd = readableEnd;
    }

    Path path() {
        return path;
    }

    long firstPosition() {
        return firstPosition;
    }

    SparseIndex index() {
        return index;
    }

    long readableEnd() {
        return readableEnd;
    }

    /** Writer only. */
    void publishReadableEnd(long end) {
        readableEnd = end;
    }

    /**
     * Adds to {@code out} the records of this segment with positions in {@code [from, durable]}, at
     * most {@code max} in all, ascending.
     *
     * @return the position after the last record examined (where the next segment continues)
     */
    long readForward(long from, long durable, int max, List<RecordedEvent> out, int chunkBytes) throws IOException {
        Start start = startFor(from);
        FrameCursor cursor = cursorAt(start, chunkBytes);
        long expected = start.firstPosition();
        while (out.size() < max && expected <= durable) {
            if (!nextFrame(cursor, expected, from)) {
                return expected;
            }
            if (cursor.lastPosition() < from) {
                expected = cursor.lastPosition() + 1;
                continue;
            }
            ByteBuffer buf = cursor.buffer();
            int at = cursor.recordsAt();
            RecordedEvent previous = null;
            int previousAt = -1;
            for (int i = 0; i < cursor.recordCount(); i++) {
                long position = cursor.firstPosition() + i;
                if (position >= from && position <= durable && out.size() < max) {
                    previous = RecordCodec.decode(buf, at, previous, previousAt);
                    previousAt = at;
                    out.add(previous);
                }
                at += RecordCodec.sizeAt(buf, at);
            }
            expected = cursor.lastPosition() + 1;
        }
        return expected;
    }

    /**
     * The record at {@code position}, which must be readable in this segment. Frames before the one
     * holding it are walked by their headers; inside that frame only the records' headers up to it
     * and the record itself are read, and only that record is checked (structure and its own
     * CRC32C; see {@link FrameCursor#seekRecord(long)}).
     *
     * @throws CorruptStoreException when the frames end before the position or anything on the way
     *     is damaged
     */
    RecordedEvent read(long position) throws IOException {
        long hint = cache.recordOffset(position);
        if (hint >= 0) {
            RecordedEvent cached = readCachedRecord(position, hint);
            if (cached != null) {
                return cached;
            }
        }
        Start start = startFor(position);
        return inPlaceOrCopying(start, cursor -> readAt(cursor, start, position));
    }

    /** A read through one cursor, run again on another when the first one's bytes were torn. */
    @FunctionalInterface
    private interface CursorRead<T> {
        T read(FrameCursor cursor) throws IOException;
    }

    /**
     * Runs {@code read} on a cursor that decodes cached bytes in place; when a cache block was
     * recycled while it decoded (its result or its failure may come from torn bytes), runs it again
     * on a cursor that copies.
     */
    private <T> T inPlaceOrCopying(Start start, CursorRead<T> read) throws IOException {
        FrameCursor inPlace = cursorAt(start, pointChunk(start), true);
        try {
            T result = read.read(inPlace);
            if (inPlace.windowsValid()) {
                return result;
            }
        } catch (IOException | RuntimeException e) {
            if (inPlace.windowsValid()) {
                throw e;
            }
        }
        return read.read(cursorAt(start, POINT_CHUNK_BYTES, false));
    }

    /**
     * The record at {@code position} read in place at the offset the cache remembers for it, or
     * null when that does not work out (the offset is stale, the bytes are not cached or not one
     * block, a block was recycled meanwhile): then the ordinary walk reads it, and reports any real
     * damage.
     */
    private @Nullable RecordedEvent readCachedRecord(long position, long offset) {
        FrameCursor cursor = cursorAt(new Start(offset, position), CACHED_POINT_CHUNK_BYTES, true);
        try {
            int at = cursor.recordInPlace(offset, position);
            if (at < 0) {
                return null;
            }
            RecordedEvent event = RecordCodec.decode(cursor.buffer(), at);
            return cursor.windowsValid() ? event : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private RecordedEvent readAt(FrameCursor cursor, Start start, long position) throws IOException {
        long expected = start.firstPosition();
        while (true) {
            if (!nextFrame(cursor, expected, Long.MAX_VALUE)) {
                throw new CorruptStoreException(path, readableEnd, "durable position " + position + " is missing");
            }
            if (cursor.lastPosition() >= position) {
                int at = cursor.seekRecord(position); // may replace the cursor's buffer: call it first
                return RecordCodec.decode(cursor.buffer(), at);
            }
            expected = cursor.lastPosition() + 1;
        }
    }

    /**
     * Adds to {@code out}, descending, the records of the index interval that holds {@code from},
     * with positions in {@code [max(intervalStart, from - max + 1), from]}.
     *
     * @return the lowest position added minus one (where the next backward step continues)
     */
    long readBackwardStep(long from, int max, List<RecordedEvent> out) throws IOException {
        Start start = startFor(from);
        long lowest = Math.max(start.firstPosition(), from - max + 1);
        List<RecordedEvent> ascending = inPlaceOrCopying(start, cursor -> interval(cursor, start, lowest, from));
        for (int i = ascending.size() - 1; i >= 0; i--) {
            out.add(ascending.get(i));
        }
        return lowest - 1;
    }

    /** The records with positions in {@code [lowest, from]}, ascending, walking from {@code start}. */
    private List<RecordedEvent> interval(FrameCursor cursor, Start start, long lowest, long from) throws IOException {
        List<RecordedEvent> ascending = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, from - lowest + 1));
        long expected = start.firstPosition();
        while (expected <= from) {
            if (!nextFrame(cursor, expected)) {
                throw cursor.corruption("position " + from + " should be in this segment, but its frames end here");
            }
            ByteBuffer buf = cursor.buffer();
            int at = cursor.recordsAt();
            for (int i = 0; i < cursor.recordCount(); i++) {
                long position = cursor.firstPosition() + i;
                if (position >= lowest && position <= from) {
                    ascending.add(RecordCodec.decode(buf, at));
                }
                at += RecordCodec.sizeAt(buf, at);
            }
            expected = cursor.lastPosition() + 1;
        }
        return ascending;
    }

    /**
     * Visits every record with a position in {@code [from, durable]} without materialising data.
     *
     * @return the position after the last record examined
     */
    long scan(long from, long durable, SegmentedLog.IndexVisitor visitor) throws IOException {
        Start start = startFor(from);
        FrameCursor cursor = cursorAt(start, SCAN_CHUNK_BYTES);
        long expected = start.firstPosition();
        byte[] lastStream = new byte[0];
        String lastName = "";
        while (expected <= durable) {
            if (!nextFrame(cursor, expected)) {
                return expected;
            }
            ByteBuffer buf = cursor.buffer();
            byte[] array = buf.array();
            int at = cursor.recordsAt();
            for (int i = 0; i < cursor.recordCount(); i++) {
                long position = cursor.firstPosition() + i;
                if (position > durable) {
                    return position;
                }
                if (position >= from) {
                    int streamAt = RecordCodec.streamOffsetAt(at);
                    int length = RecordCodec.streamLengthAt(buf, at);
                    // Batches usually hold one stream: reuse the previous String when the bytes match.
                    if (!Arrays.equals(array, streamAt, streamAt + length, lastStream, 0, lastStream.length)) {
                        lastStream = Arrays.copyOfRange(array, streamAt, streamAt + length);
                        lastName = new String(lastStream, StandardCharsets.UTF_8);
                    }
                    visitor.visit(position, lastName, RecordCodec.versionAt(buf, at));
                }
                at += RecordCodec.sizeAt(buf, at);
            }
            expected = cursor.lastPosition() + 1;
        }
        return expected;
    }

    /** Where decoding starts for a position: its floor index entry, from one view of the index. */
    private record Start(long offset, long firstPosition) {}

    private Start startFor(long position) {
        SparseIndex.View view = index.view();
        int entry = view.floor(position);
        return entry < 0
                ? new Start(LogFormat.HEADER_BYTES, firstPosition)
                : new Start(view.offset(entry), view.position(entry));
    }

    private FrameCursor cursorAt(Start start, int chunkBytes) {
        return cursorAt(start, chunkBytes, false);
    }

    /**
     * @param inPlace let the cursor decode cached bytes where they are instead of copying them; the
     *     caller must then check {@link FrameCursor#windowsValid()} before it uses what it decoded
     */
    private FrameCursor cursorAt(Start start, int chunkBytes, boolean inPlace) {
        FrameCursor.Source source = inPlace ? new InPlace() : this::readCachedOrFile;
        return new FrameCursor(path, source, start.offset(), readableEnd, chunkBytes);
    }

    /** Reads that borrow cache blocks where they hold the bytes (see {@link LogCache#window}). */
    private final class InPlace implements FrameCursor.Source {
        @Override
        public int read(ByteBuffer dst, long offset) throws IOException {
            return readCachedOrFile(dst, offset);
        }

        @Override
        public LogCache.@Nullable Window window(long offset, int length) {
            return cache.window(Segment.this, offset, length);
        }
    }

    private int pointChunk(Start start) {
        return cache.holds(this, start.offset()) ? CACHED_POINT_CHUNK_BYTES : POINT_CHUNK_BYTES;
    }

    /**
     * Reads one byte where the record at {@code position} starts, when the log cache knows where
     * and holds it; returns it (or 0). Only for its side effect on the processor's caches.
     */
    int touch(long position) {
        long offset = cache.recordOffset(position);
        if (offset < 0) {
            return 0;
        }
        LogCache.Block block = cachedBlock((int) (offset >> LogCache.BLOCK_SHIFT));
        if (block == null) {
            return 0;
        }
        // The record's first six lines: a typical event is a few hundred bytes.
        int at = (int) (offset & (LogCache.BLOCK_BYTES - 1));
        int sum = 0;
        for (int line = 0; line < 6 && at + line * 64 < LogCache.BLOCK_BYTES; line++) {
            sum += block.bytes[at + line * 64];
        }
        return sum;
    }

    /** The cursors' source: the log cache where it holds the bytes, the file where it does not. */
    private int readCachedOrFile(ByteBuffer dst, long offset) throws IOException {
        int cached = cache.read(this, dst, offset);
        return cached >= 0 ? cached : channel.read(dst, offset);
    }

    LogCache.@Nullable Block cachedBlock(int blockIndex) {
        LogCache.Block[] blocks = cachedBlocks;
        return blockIndex < blocks.length ? blocks[blockIndex] : null;
    }

    /** Writer (through {@link LogCache}) only. */
    void cacheBlock(int blockIndex, LogCache.Block block) {
        LogCache.Block[] blocks = cachedBlocks;
        if (blockIndex >= blocks.length) {
            blocks = Arrays.copyOf(blocks, Math.max(blockIndex + 1, 2 * blocks.length));
            blocks[blockIndex] = block;
            cachedBlocks = blocks;
        } else {
            blocks[blockIndex] = block;
        }
    }

    /** Writer (through {@link LogCache}) only: forgets {@code block} if it still holds that index. */
    void uncacheBlock(int blockIndex, LogCache.Block block) {
        LogCache.Block[] blocks = cachedBlocks;
        if (blockIndex < blocks.length && blocks[blockIndex] == block) {
            blocks[blockIndex] = null;
        }
    }

    /** Advances to the next frame; false at the readable end; throws on a damaged frame. */
    private static boolean nextFrame(FrameCursor cursor, long expected) throws IOException {
        return nextFrame(cursor, expected, Long.MIN_VALUE);
    }

    /**
     * Like {@link #nextFrame(FrameCursor, long)}, but a frame that ends before {@code wanted} is
     * only walked (header and payload prefix): its records are not returned, so its checksum is
     * left to the reader that returns them. A damaged walked frame still surfaces, as a bad magic
     * or length, or as the next frame not starting at the expected position.
     */
    private static boolean nextFrame(FrameCursor cursor, long expected, long wanted) throws IOException {
        FrameCursor.Status status = cursor.next(FrameCursor.Mode.WALK);
        if (status == FrameCursor.Status.FRAME && cursor.lastPosition() >= wanted) {
            status = cursor.verifyCurrent();
        }
        if (status == FrameCursor.Status.END) {
            return false;
        }
        if (status == FrameCursor.Status.INVALID) {
            throw cursor.corruption();
        }
        if (cursor.firstPosition() != expected) {
            throw cursor.corruption("frame starts at position " + cursor.firstPosition() + ", expected " + expected);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
