package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code checkpoint} file: a frame known to be durable. Recovery trusts everything up to and
 * including that frame without checking CRCs, and scans only what follows it. Layout (36 bytes,
 * big-endian):
 *
 * <pre>
 *  0  magic                "FCKP"
 *  4  format version       int32 = 1
 *  8  position             int64  last position of the frame (the durable head when written)
 * 16  segment              int64  first position of the segment holding the frame
 * 24  frameOffset          int64  byte offset of the frame in that segment
 * 32  crc                  int32  CRC32C of bytes [0, 32)
 * </pre>
 *
 * Written only with {@link LogFiles#writeAtomically} (temporary file, fsync, rename, fsync
 * directory), so a crash leaves the old or the new checkpoint, and only after the frame it names is
 * on stable storage.
 *
 * @param position last position of the frame at {@code frameOffset}
 * @param segmentFirstPosition names the segment file
 * @param frameOffset start of the frame in that file
 */
record Checkpoint(long position, long segmentFirstPosition, long frameOffset) {
    static final int MAGIC = 0x46434B50;
    static final int BYTES = 36;
    private static final int CRC_OFFSET = 32;

    /** The outcome of reading the checkpoint file: absent, damaged, or a checkpoint. */
    sealed interface Loaded {
        record Absent() implements Loaded {}

        record Damaged(Damage damage) implements Loaded {}

        record Present(Checkpoint checkpoint) implements Loaded {}
    }

    static Loaded read(FileIo io, Path dir) throws IOException {
        Path file = dir.resolve(LogFormat.CHECKPOINT_FILE);
        if (!io.exists(file)) {
            return new Loaded.Absent();
        }
        ByteBuffer buf = LogFiles.readSmallFile(io, file);
        return decode(file, buf)
                .<Loaded>map(Loaded.Damaged::new)
                .orElseGet(() -> new Loaded.Present(new Checkpoint(buf.getLong(8), buf.getLong(16), buf.getLong(24))));
    }

    private static Optional<Damage> decode(Path file, ByteBuffer buf) {
        if (buf.remaining() != BYTES) {
            return Optional.of(new Damage(file, 0, "checkpoint is " + buf.remaining() + " bytes, expected " + BYTES));
        }
        if (buf.getInt(0) != MAGIC) {
            return Optional.of(new Damage(file, 0, "bad checkpoint magic " + LogFormat.hex(buf.getInt(0))));
        }
        if (buf.getInt(4) != LogFormat.FORMAT_VERSION) {
            return Optional.of(new Damage(file, 4, "unsupported checkpoint version " + buf.getInt(4)));
        }
        if (buf.getInt(CRC_OFFSET) != LogFormat.crc32c(buf.array(), 0, CRC_OFFSET)) {
            return Optional.of(new Damage(
                    file,
                    CRC_OFFSET,
                    "checkpoint checksum (CRC32C) mismatch; if the log segments are sound, deleting this file"
                            + " makes the next open re-scan every segment"));
        }
        if (buf.getLong(8) < 0 || buf.getLong(16) < 0 || buf.getLong(24) < LogFormat.HEADER_BYTES) {
            return Optional.of(new Damage(file, 8, "checkpoint fields out of range"));
        }
        return Optional.empty();
    }

    void write(FileIo io, Path dir) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BYTES);
        buf.putInt(MAGIC)
                .putInt(LogFormat.FORMAT_VERSION)
                .putLong(position)
                .putLong(segmentFirstPosition)
                .putLong(frameOffset);
        buf.putInt(CRC_OFFSET, LogFormat.crc32c(buf.array(), 0, CRC_OFFSET));
        LogFiles.writeAtomically(io, dir.resolve(LogFormat.CHECKPOINT_FILE), buf.clear(), true);
    }
}
