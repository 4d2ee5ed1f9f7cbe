package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFormat.FRAME_HEADER_BYTES;
import static io.factum.engine.internal.log.LogFormat.FRAME_MAGIC;
import static io.factum.engine.internal.log.LogFormat.FRAME_PREFIX_BYTES;
import static io.factum.engine.internal.log.LogFormat.MAX_PAYLOAD_BYTES;
import static io.factum.engine.internal.log.LogFormat.PAYLOAD_PREFIX_BYTES;

import io.factum.engine.CorruptStoreException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Walks the frames of one segment file between two byte offsets, reading through a positional
 * {@link Source} in chunks. Every decoder of the log (readers, scan, recovery, verify) goes through
 * here, so a frame is either checked completely (magic, length, CRC32C, record structure) or, in a
 * region recovery already trusts, walked by its header alone.
 *
 * <p>A point read uses {@link #seekRecord(long)} instead of {@link #verifyCurrent()}: inside the
 * frame it walks records by their length fields and checks only the record it returns, by that
 * record's own CRC32C, so its cost does not grow with the size of the frame's other records.
 *
 * <p>Not thread-safe: one cursor per read. The buffer is allocated by the first read, sized to
 * that read, and grows to hold the largest frame (or record) loaded.
 */
final class FrameCursor {

    /** Positional reads of one file; {@code -1} at end of file. */
    @FunctionalInterface
    interface Source {
        int read(ByteBuffer dst, long offset) throws IOException;

        /**
         * The cached bytes holding file bytes {@code [offset, offset + length)}, to read in place
         * instead of copying, or null (then the cursor reads through {@link #read}).
         */
        default LogCache.@Nullable Window window(long offset, int length) {
            return null;
        }
    }

    /**
     * Largest read while walking the records of a frame to a point read's record. Larger than the
     * point-read chunk: the walk reads every byte before the record when records are small (each
     * header must be read), so fewer, larger reads cost less.
     */
    static final int RECORD_WALK_CHUNK_BYTES = 64 << 10;

    enum Mode {
        /** Reads the whole frame and checks magic, length, CRC32C and every record's structure. */
        CHECKED,
        /** Reads the frame header and payload prefix only: for regions recovery already trusts. */
        WALK
    }

    enum Status {
        FRAME,
        END,
        INVALID
    }

    private final Path file;
    private final Source source;
    private final long limit;
    private final int chunkBytes;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buf;
    private long bufStart;
    /** First file offset {@code buf} holds (after {@code bufStart} when a window starts mid-block). */
    private long bufFloor;
    /**
     * File offset just past what {@code buf} holds. Kept here, not as the buffer's limit: a
     * borrowed buffer is a block's shared view, which no cursor may change.
     */
    private long bufEnd;
    /** Whether {@code buf} is a cache block's memory: read-only for this cursor, never filled. */
    private boolean borrowed;
    /** The windows this cursor read in place; their blocks must be unchanged for its results to count. */
    private final List<LogCache.Window> windows = new ArrayList<>(1);

    private long nextOffset;

    private long frameOffset;
    private int payloadLength;
    private long firstPosition;
    private int recordCount;
    private int recordsAt;
    private String problem = "";

    /**
     * @param start offset of the first frame
     * @param limit offset just past the last byte that may be read (never beyond what is durable)
     * @param chunkBytes bytes read per call when frames are smaller than that
     */
    FrameCursor(Path file, Source source, long start, long limit, int chunkBytes) {
        this.file = file;
        this.source = source;
        this.limit = limit;
        this.nextOffset = start;
        this.chunkBytes = Math.max(FRAME_PREFIX_BYTES, chunkBytes);
        // Empty until the first read, which sizes it: a cursor whose first read is larger than a
        // chunk (a large frame or record) allocates once, not a chunk and then the real size.
        this.buf = ByteBuffer.allocate(0);
        this.bufStart = start;
        this.bufFloor = start;
        this.bufEnd = start;
    }

    /** Moves to the next frame. After {@link Status#INVALID} the cursor must not be advanced. */
    Status next(Mode mode) throws IOException {
        frameOffset = nextOffset;
        long available = limit - frameOffset;
        if (available <= 0) {
            return Status.END;
        }
        if (available < FRAME_PREFIX_BYTES) {
            return invalid("frame header runs past the end of the file (" + available + " bytes left)");
        }
        int at = load(frameOffset, FRAME_PREFIX_BYTES);
        int magic = buf.getInt(at);
        if (magic != FRAME_MAGIC) {
            return invalid("bad frame magic " + LogFormat.hex(magic));
        }
        payloadLength = buf.getInt(at + 4);
        if (payloadLength < PAYLOAD_PREFIX_BYTES || payloadLength > MAX_PAYLOAD_BYTES) {
            return invalid("bad frame payload length " + payloadLength);
        }
        if (payloadLength > available - FRAME_HEADER_BYTES) {
            return invalid("frame payload of " + payloadLength + " bytes runs past the end of the file");
        }
        if (mode == Mode.CHECKED) {
            at = load(frameOffset, FRAME_HEADER_BYTES + payloadLength);
            crc.reset();
            crc.update(buf.array(), at + FRAME_HEADER_BYTES, payloadLength);
            if ((int) crc.getValue() != buf.getInt(at + 8)) {
                return invalid("frame payload checksum (CRC32C) mismatch");
            }
        }
        firstPosition = buf.getLong(at + FRAME_HEADER_BYTES);
        recordCount = buf.getInt(at + FRAME_HEADER_BYTES + 8);
        recordsAt = at + FRAME_PREFIX_BYTES;
        if (recordCount < 1 || recordCount > (payloadLength - PAYLOAD_PREFIX_BYTES) / RecordCodec.FIXED_BYTES) {
            return invalid("bad record count " + recordCount + " for a payload of " + payloadLength + " bytes");
        }
        if (mode == Mode.CHECKED) {
            Optional<String> malformed = checkRecords();
            if (malformed.isPresent()) {
                return invalid(malformed.get());
            }
        }
        nextOffset = frameOffset + FRAME_HEADER_BYTES + payloadLength;
        return Status.FRAME;
    }

    /**
     * Checks the frame that {@link #next(Mode)} just walked to in {@link Mode#WALK} as {@link
     * Mode#CHECKED} would have: CRC32C and every record's structure. Readers walk past frames
     * that hold none of the positions they want and check only the frames they decode.
     */
    Status verifyCurrent() throws IOException {
        int at = load(frameOffset, FRAME_HEADER_BYTES + payloadLength);
        crc.reset();
        crc.update(buf.array(), at + FRAME_HEADER_BYTES, payloadLength);
        if ((int) crc.getValue() != buf.getInt(at + 8)) {
            return invalid("frame payload checksum (CRC32C) mismatch");
        }
        recordsAt = at + FRAME_PREFIX_BYTES;
        Optional<String> malformed = checkRecords();
        return malformed.isPresent() ? invalid(malformed.get()) : Status.FRAME;
    }

    private Optional<String> checkRecords() {
        int end = recordsAt + payloadLength - PAYLOAD_PREFIX_BYTES;
        int at = recordsAt;
        for (int i = 0; i < recordCount; i++) {
            Optional<String> malformed = RecordCodec.check(buf, at, end, firstPosition + i);
            if (malformed.isPresent()) {
                return Optional.of("record " + i + " of the frame: " + malformed.get());
            }
            at += RecordCodec.sizeAt(buf, at);
        }
        return at == end ? Optional.empty() : Optional.of((end - at) + " unexplained bytes after the last record");
    }

    /**
     * Finds the record at {@code position} in the frame that {@link #next(Mode)} just walked to
     * (in either mode) and checks that record alone: it loads the headers of the records before it
     * (to follow their length fields) and the record itself, never the rest of the frame, then
     * checks the record's structure and CRC32C. The frame CRC is not checked: the records this read
     * does not return are left to the readers that return them.
     *
     * @param position a position in {@code [firstPosition(), lastPosition()]}
     * @return the index in {@link #buffer()} where the checked record starts
     * @throws CorruptStoreException naming the file and the offset of the record found damaged,
     *     including a length field pointing outside the frame
     */
    int seekRecord(long position) throws IOException {
        long payloadEnd = frameOffset + FRAME_HEADER_BYTES + payloadLength;
        long recordsStart = frameOffset + FRAME_PREFIX_BYTES;
        long offset = recordsStart;
        boolean headerOnly = false;
        for (long p = firstPosition; ; p++) {
            if (payloadEnd - offset < RecordCodec.FIXED_BYTES) {
                throw recordCorruption(offset, p, "record header runs past the end of the frame");
            }
            // Read ahead as far as the walk has come already (at least a chunk, at most 64 KiB, never
            // past the frame): a record near the start costs one small read, a record far in
            // costs few reads, and at most about twice the bytes before it are read.
            long ahead = Math.min(Math.max(chunkBytes, offset - recordsStart), RECORD_WALK_CHUNK_BYTES);
            int chunk = headerOnly ? RecordCodec.HEADER_BYTES : (int) Math.min(ahead, payloadEnd - offset);
            if (!headerOnly && !borrowed && buf.capacity() < chunk && !holds(offset, RecordCodec.HEADER_BYTES)) {
                // Grow once to the largest walk read this frame can need, not once per doubling.
                own(ByteBuffer.allocate((int) Math.min(RECORD_WALK_CHUNK_BYTES, payloadEnd - recordsStart)));
            }
            int at = load(offset, RecordCodec.HEADER_BYTES, chunk);
            long size = RecordCodec.sizeFromHeader(buf, at);
            if (size < 0 || size > payloadEnd - offset) {
                throw recordCorruption(
                        offset,
                        p,
                        "a length field points outside the frame (record size " + size + ", " + (payloadEnd - offset)
                                + " bytes left in the frame)");
            }
            if (p == position) {
                return checkedRecord(offset, (int) size, chunk, position);
            }
            // After a record larger than a chunk, read only the next header: reading a whole chunk
            // per header would read most of a frame of large records.
            headerOnly = size >= chunkBytes;
            offset += size;
        }
    }

    private int checkedRecord(long offset, int size, int chunk, long position) throws IOException {
        int at = load(offset, size, chunk);
        Optional<String> malformed = RecordCodec.check(buf, at, at + size, position);
        if (malformed.isEmpty()) {
            malformed = RecordCodec.checkCrc(buf, at, size, crc);
        }
        if (malformed.isPresent()) {
            throw recordCorruption(offset, position, malformed.get());
        }
        return at;
    }

    private CorruptStoreException recordCorruption(long offset, long position, String why) {
        return new CorruptStoreException(
                file,
                offset,
                "record for position " + position + " (frame at byte offset " + frameOffset + "): " + why);
    }

    private Status invalid(String why) {
        problem = why;
        nextOffset = frameOffset;
        return Status.INVALID;
    }

    /** Makes {@code buf} hold file bytes {@code [offset, offset + length)}; returns their index. */
    private int load(long offset, int length) throws IOException {
        return load(offset, length, chunkBytes);
    }

    /** As {@link #load(long, int)}, reading at least {@code chunk} bytes when it must read. */
    private int load(long offset, int length, int chunk) throws IOException {
        if (holds(offset, length)) {
            return (int) (offset - bufStart);
        }
        LogCache.Window window = source.window(offset, length);
        if (window != null) {
            borrow(window);
            return (int) (offset - bufStart);
        }
        if (borrowed && !windowsValid()) {
            // What led here was read from a recycled block: the length may be garbage, and must
            // not size an allocation. The caller sees the windows invalid and reads again.
            throw new IllegalStateException("a cache block was recycled during the read");
        }
        // Read a whole chunk when frames are small, exactly the frame when it is bigger: after one
        // large frame the cursor must not go on reading that many bytes per small frame.
        int want = (int) Math.min(limit - offset, Math.max(length, chunk));
        if (borrowed || buf.capacity() < want) {
            own(ByteBuffer.allocate(want));
        }
        buf.clear().limit(want);
        while (buf.hasRemaining()) {
            if (source.read(buf, offset + buf.position()) < 0) {
                throw new EOFException(file + " ends at byte " + (offset + buf.position()) + ", expected at least "
                        + (offset + want) + " bytes");
            }
        }
        buf.flip();
        bufStart = offset;
        bufFloor = offset;
        bufEnd = offset + buf.limit();
        return 0;
    }

    private void borrow(LogCache.Window window) {
        windows.add(window);
        buf = window.view();
        bufStart = window.start();
        bufFloor = window.start() + window.from();
        bufEnd = Math.min(window.start() + buf.capacity(), limit);
        borrowed = true;
    }

    /**
     * Checks, in place in the log cache, that a record for {@code position} starts at {@code
     * offset}: its structure, position and CRC32C. No frame is involved, so the frame's own checks
     * are left to the readers that decode the whole frame.
     *
     * @return the index in {@link #buffer()} where the record starts, or -1 when the cache does not
     *     hold the record in one block or the bytes there are not that record
     */
    int recordInPlace(long offset, long position) {
        if (limit - offset < RecordCodec.FIXED_BYTES) {
            return -1;
        }
        LogCache.Window window = source.window(offset, RecordCodec.HEADER_BYTES);
        if (window == null) {
            return -1;
        }
        borrow(window);
        int at = (int) (offset - bufStart);
        long size = RecordCodec.sizeFromHeader(buf, at);
        if (size < RecordCodec.FIXED_BYTES || size > limit - offset || !holds(offset, (int) size)) {
            return -1;
        }
        // The checksum first: it reads the record front to back, which the memory prefetcher
        // follows, and leaves the lines the structure check and the decoder read in cache.
        Optional<String> malformed = RecordCodec.checkCrc(buf, at, (int) size, crc);
        if (malformed.isEmpty()) {
            malformed = RecordCodec.check(buf, at, at + (int) size, position);
        }
        return malformed.isEmpty() ? at : -1;
    }

    /** Replaces the buffer with an empty one of this cursor's own, which the next load fills. */
    private void own(ByteBuffer fresh) {
        buf = fresh.limit(0);
        bufEnd = bufStart;
        bufFloor = bufStart;
        borrowed = false;
    }

    private boolean holds(long offset, int length) {
        return offset >= bufFloor && offset + length <= bufEnd;
    }

    /**
     * Whether every cache block this cursor read in place still held the same bytes afterwards.
     * When not, what the cursor decoded may be torn: the caller discards it and reads again
     * through a cursor without windows.
     */
    boolean windowsValid() {
        for (LogCache.Window window : windows) {
            if (!window.valid()) {
                return false;
            }
        }
        return true;
    }

    /** The frame's bytes; records are at absolute indexes from {@link #recordsAt()}. */
    ByteBuffer buffer() {
        return buf;
    }

    int recordsAt() {
        return recordsAt;
    }

    long frameOffset() {
        return frameOffset;
    }

    /** Offset just past the current frame (where the next one starts). */
    long frameEnd() {
        return nextOffset;
    }

    long firstPosition() {
        return firstPosition;
    }

    int recordCount() {
        return recordCount;
    }

    long lastPosition() {
        return firstPosition + recordCount - 1;
    }

    /** Why the current frame is invalid. */
    String problem() {
        return problem;
    }

    CorruptStoreException corruption(String why) {
        return new CorruptStoreException(file, frameOffset, why);
    }

    /** Corruption naming the current frame's offset, for a frame that must have been sound. */
    CorruptStoreException corruption() {
        return corruption(problem);
    }
}
