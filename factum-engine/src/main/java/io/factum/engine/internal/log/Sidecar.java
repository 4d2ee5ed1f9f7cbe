package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The sidecar {@code segment-<first>.idx} of a sealed segment: its sparse index and its extent, so
 * that opening the log never reads sealed segments. Derived data: a missing or damaged sidecar is
 * rebuilt by scanning its segment. Layout (big-endian):
 *
 * <pre>
 *  0  magic            "FIDX"
 *  4  format version   int32 = 1
 *  8  firstPosition    int64  first position of the segment
 * 16  lastPosition     int64  last position in the segment
 * 24  endOffset        int64  the segment's size in bytes when sealed
 * 32  lastFrameOffset  int64  offset of the segment's last frame
 * 40  entryCount       int32  n >= 1
 * 44  entries          n x (position int64, offset int64), ascending; entry 0 = (firstPosition, 32)
 * 44 + 16n  crc        int32  CRC32C of bytes [0, 44 + 16n)
 * </pre>
 *
 * @param index the sparse index (see {@link SparseIndex} for the interval rule)
 */
record Sidecar(long firstPosition, long lastPosition, long endOffset, long lastFrameOffset, SparseIndex.View index) {
    static final int MAGIC = 0x46494458;
    private static final int ENTRIES_OFFSET = 44;

    /** A sidecar, or why the file on disk cannot be used. */
    sealed interface Loaded {
        record Absent() implements Loaded {}

        record Damaged(Damage damage) implements Loaded {}

        record Present(Sidecar sidecar) implements Loaded {}
    }

    static Path pathFor(Path dir, long firstPosition) {
        return dir.resolve(LogFormat.sidecarFileName(firstPosition));
    }

    /**
     * Writes the sidecar atomically. Without a directory fsync: when sealing, creating the next segment
     * fsyncs the directory right after, and a sidecar lost to a crash is only rebuilt by a scan.
     */
    void write(FileIo io, Path dir) throws IOException {
        int size = index.size();
        ByteBuffer buf = ByteBuffer.allocate(ENTRIES_OFFSET + 16 * size + 4);
        buf.putInt(MAGIC)
                .putInt(LogFormat.FORMAT_VERSION)
                .putLong(firstPosition)
                .putLong(lastPosition);
        buf.putLong(endOffset).putLong(lastFrameOffset).putInt(size);
        for (int i = 0; i < size; i++) {
            buf.putLong(index.position(i)).putLong(index.offset(i));
        }
        buf.putInt(LogFormat.crc32c(buf.array(), 0, buf.position()));
        LogFiles.writeAtomically(io, pathFor(dir, firstPosition), buf.flip(), false);
    }

    /**
     * Reads and checks the sidecar of the segment that starts at {@code firstPosition} and is {@code
     * segmentSize} bytes long now.
     */
    static Loaded read(FileIo io, Path dir, long firstPosition, long segmentSize) throws IOException {
        Path file = pathFor(dir, firstPosition);
        if (!io.exists(file)) {
            return new Loaded.Absent();
        }
        ByteBuffer buf = LogFiles.readSmallFile(io, file);
        Optional<Damage> damage = check(file, buf, firstPosition, segmentSize);
        if (damage.isPresent()) {
            return new Loaded.Damaged(damage.get());
        }
        SparseIndex index = new SparseIndex();
        int count = buf.getInt(40);
        for (int i = 0; i < count; i++) {
            index.add(buf.getLong(ENTRIES_OFFSET + 16 * i), buf.getLong(ENTRIES_OFFSET + 16 * i + 8));
        }
        return new Loaded.Present(
                new Sidecar(firstPosition, buf.getLong(16), buf.getLong(24), buf.getLong(32), index.view()));
    }

    private static Optional<Damage> check(Path file, ByteBuffer buf, long firstPosition, long segmentSize) {
        int size = buf.remaining();
        if (size < ENTRIES_OFFSET + 4 || buf.getInt(0) != MAGIC) {
            return damage(file, 0, "not a sidecar index file (bad magic or " + size + " bytes)");
        }
        if (buf.getInt(4) != LogFormat.FORMAT_VERSION) {
            return damage(file, 4, "unsupported sidecar version " + buf.getInt(4));
        }
        int count = buf.getInt(40);
        if (count < 1 || (long) ENTRIES_OFFSET + 16L * count + 4 != size) {
            return damage(file, 40, "entry count " + count + " does not match the file size " + size);
        }
        if (buf.getInt(size - 4) != LogFormat.crc32c(buf.array(), 0, size - 4)) {
            return damage(file, size - 4, "sidecar checksum (CRC32C) mismatch");
        }
        return checkFields(file, buf, firstPosition, segmentSize);
    }

    private static Optional<Damage> checkFields(Path file, ByteBuffer buf, long firstPosition, long segmentSize) {
        long last = buf.getLong(16);
        long end = buf.getLong(24);
        long lastFrame = buf.getLong(32);
        if (buf.getLong(8) != firstPosition || last < firstPosition) {
            return damage(
                    file, 8, "positions " + buf.getLong(8) + ".." + last + " do not fit segment " + firstPosition);
        }
        if (end != segmentSize) {
            return damage(file, 24, "records a sealed size of " + end + " bytes, the segment is " + segmentSize);
        }
        if (lastFrame < LogFormat.HEADER_BYTES || lastFrame > end - LogFormat.FRAME_PREFIX_BYTES) {
            return damage(file, 32, "last frame offset " + lastFrame + " lies outside the segment");
        }
        long previousPosition = firstPosition - 1;
        long previousOffset = LogFormat.HEADER_BYTES - 1;
        for (int i = 0; i < buf.getInt(40); i++) {
            long position = buf.getLong(ENTRIES_OFFSET + 16 * i);
            long offset = buf.getLong(ENTRIES_OFFSET + 16 * i + 8);
            boolean firstEntryWrong = i == 0 && (position != firstPosition || offset != LogFormat.HEADER_BYTES);
            if (firstEntryWrong
                    || position <= previousPosition
                    || position > last
                    || offset <= previousOffset
                    || offset > lastFrame) {
                return damage(file, ENTRIES_OFFSET + 16L * i, "index entry " + i + " is out of order or range");
            }
            previousPosition = position;
            previousOffset = offset;
        }
        return Optional.empty();
    }

    private static Optional<Damage> damage(Path file, long offset, String problem) {
        return Optional.of(new Damage(file, offset, problem));
    }
}
