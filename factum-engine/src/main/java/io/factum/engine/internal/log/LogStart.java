package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code log-start} file: the first position the log holds. Recovery requires the oldest
 * segment to be named for exactly this position, so a lost first segment is refused instead of
 * silently shortening the log. When the file is absent (every log today: nothing deletes old
 * segments yet) the log starts at position 0. A future scavenger that deletes whole segments from
 * the front writes this file <em>before</em> it deletes them; segments wholly before the start that
 * a crash left behind are then ignored at open. Layout (20 bytes, big-endian):
 *
 * <pre>
 *  0  magic                "FLST"
 *  4  format version       int32 = 1
 *  8  position             int64  the first position of the oldest segment kept
 * 16  crc                  int32  CRC32C of bytes [0, 16)
 * </pre>
 *
 * Written only with {@link LogFiles#writeAtomically} (with the directory fsync), so a crash leaves
 * the old or the new start. Unlike the checkpoint it is not derived: deleting it makes a scavenged
 * log refuse to open (its first segment would be missing), which is the safe direction.
 *
 * @param position first position of the log, {@code >= 0}
 */
record LogStart(long position) {
    static final int MAGIC = 0x464C5354;
    static final int BYTES = 20;
    private static final int CRC_OFFSET = 16;

    /** The start of a log that has never been scavenged. */
    static final LogStart ZERO = new LogStart(0);

    LogStart {
        if (position < 0) {
            throw new IllegalArgumentException("log start position is " + position + ", must be >= 0");
        }
    }

    /** The outcome of reading the file: absent, damaged, or a start. */
    sealed interface Loaded {
        record Absent() implements Loaded {}

        record Damaged(Damage damage) implements Loaded {}

        record Present(LogStart start) implements Loaded {}
    }

    static Path pathIn(Path dir) {
        return dir.resolve(LogFormat.LOG_START_FILE);
    }

    static Loaded read(FileIo io, Path dir) throws IOException {
        Path file = pathIn(dir);
        if (!io.exists(file)) {
            return new Loaded.Absent();
        }
        ByteBuffer buf = LogFiles.readSmallFile(io, file);
        return decode(file, buf)
                .<Loaded>map(Loaded.Damaged::new)
                .orElseGet(() -> new Loaded.Present(new LogStart(buf.getLong(8))));
    }

    private static Optional<Damage> decode(Path file, ByteBuffer buf) {
        if (buf.remaining() != BYTES) {
            return Optional.of(
                    new Damage(file, 0, "log start file is " + buf.remaining() + " bytes, expected " + BYTES));
        }
        if (buf.getInt(0) != MAGIC) {
            return Optional.of(new Damage(file, 0, "bad log start magic " + LogFormat.hex(buf.getInt(0))));
        }
        if (buf.getInt(4) != LogFormat.FORMAT_VERSION) {
            return Optional.of(new Damage(file, 4, "unsupported log start version " + buf.getInt(4)));
        }
        if (buf.getInt(CRC_OFFSET) != LogFormat.crc32c(buf.array(), 0, CRC_OFFSET)) {
            return Optional.of(new Damage(file, CRC_OFFSET, "log start checksum (CRC32C) mismatch"));
        }
        if (buf.getLong(8) < 0) {
            return Optional.of(new Damage(file, 8, "log start position " + buf.getLong(8) + " is negative"));
        }
        return Optional.empty();
    }

    /** Replaces the file atomically and durably (the directory is fsynced). */
    void write(FileIo io, Path dir) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BYTES);
        buf.putInt(MAGIC).putInt(LogFormat.FORMAT_VERSION).putLong(position);
        buf.putInt(CRC_OFFSET, LogFormat.crc32c(buf.array(), 0, CRC_OFFSET));
        LogFiles.writeAtomically(io, pathIn(dir), buf.clear(), true);
    }
}
