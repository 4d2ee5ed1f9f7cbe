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
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Walks the frames of one segment file between two byte offsets, reading through a positional
 * {@link Source} in chunks. Every decoder of the log (readers, scan, recovery, verify) goes through
 * here, so a frame is either checked completely (magic, length, CRC32C, record structure) or, in a
 * region recovery already trusts, walked by its header alone.
 *
 * <p>Not thread-safe: one cursor per read. The buffer grows to hold the largest frame seen.
 */
final class FrameCursor {

    /** Positional reads of one file; {@code -1} at end of file. */
    @FunctionalInterface
    interface Source {
        int read(ByteBuffer dst, long offset) throws IOException;
    }

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
        this.buf = ByteBuffer.allocate((int) Math.max(0, Math.min(this.chunkBytes, limit - start)))
                .limit(0);
        this.bufStart = start;
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

    private Status invalid(String why) {
        problem = why;
        nextOffset = frameOffset;
        return Status.INVALID;
    }

    /** Makes {@code buf} hold file bytes {@code [offset, offset + length)}; returns their index. */
    private int load(long offset, int length) throws IOException {
        if (offset >= bufStart && offset + length <= bufStart + buf.limit()) {
            return (int) (offset - bufStart);
        }
        // Read a whole chunk when frames are small, exactly the frame when it is bigger: after one
        // large frame the cursor must not go on reading that many bytes per small frame.
        int want = (int) Math.min(limit - offset, Math.max(length, chunkBytes));
        if (buf.capacity() < want) {
            buf = ByteBuffer.allocate(want);
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
        return 0;
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
