package io.factum.engine.internal.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * Constants and small codecs of the log's on-disk format (segment files version 3; sidecar,
 * checkpoint and log start version 1). All integers are big-endian. The layouts are specified in
 * the Javadoc of {@link SegmentedLog} and in {@code docs/internals/storage.md}; a change here is a
 * format change and needs a new format version.
 */
final class LogFormat {
    /** "FLOG": first four bytes of every segment file. */
    static final int SEGMENT_MAGIC = 0x464C4F47;

    /** Version of the small files (sidecar, checkpoint, log start): their layouts never changed. */
    static final int FORMAT_VERSION = 1;

    /**
     * Version of segment files. Version 2 added a CRC32C to every record, version 3 the tags of each
     * record. Older segments are refused with a message saying so, not converted: no version before
     * 3 was ever released.
     */
    static final int SEGMENT_FORMAT_VERSION = 3;

    /** magic(4) version(4) firstPosition(8) reserved(12, zero) headerCrc(4). */
    static final int HEADER_BYTES = 32;

    static final int HEADER_CRC_OFFSET = 28;

    /**
     * First four bytes of every frame. Deliberately not ASCII: event data is mostly JSON text, and a
     * magic that cannot occur in UTF-8 text keeps the recovery search for later frames from tripping
     * over event payloads (0xF7 and 0xC9 are never valid in that order in UTF-8).
     */
    static final int FRAME_MAGIC = 0xF7C91A5E;

    /** magic(4) payloadLength(4) payloadCrc32c(4). */
    static final int FRAME_HEADER_BYTES = 12;

    /** firstPosition(8) recordCount(4), at the start of every payload. */
    static final int PAYLOAD_PREFIX_BYTES = 12;

    /** A frame header plus its payload prefix: what a structural walk reads per frame. */
    static final int FRAME_PREFIX_BYTES = FRAME_HEADER_BYTES + PAYLOAD_PREFIX_BYTES;

    /**
     * Largest payload accepted. Store limits cap an append at 16 MiB of data plus about 13 MB of
     * per-record overhead, so 1 GiB leaves room for any configuration while letting recovery reject
     * a damaged length field before it tries to allocate it.
     */
    static final int MAX_PAYLOAD_BYTES = 1 << 30;

    /**
     * One sparse-index entry per this many bytes of log: a point read then decodes at most about 4
     * KiB plus the one frame that holds the position, and the index costs 16 bytes per 4 KiB (4 MiB
     * of heap per GiB of log).
     */
    static final long INDEX_INTERVAL_BYTES = 4096;

    static final String SEGMENT_PREFIX = "segment-";
    static final String SEGMENT_SUFFIX = ".log";
    static final String SIDECAR_SUFFIX = ".idx";
    static final String CHECKPOINT_FILE = "checkpoint";
    static final String LOG_START_FILE = "log-start";
    static final String TMP_SUFFIX = ".tmp";

    private LogFormat() {}

    static String segmentFileName(long firstPosition) {
        return String.format("%s%020d%s", SEGMENT_PREFIX, firstPosition, SEGMENT_SUFFIX);
    }

    static String sidecarFileName(long firstPosition) {
        return String.format("%s%020d%s", SEGMENT_PREFIX, firstPosition, SIDECAR_SUFFIX);
    }

    /** The first position a segment file name carries, or empty when it is not a segment name. */
    static OptionalLong parseSegmentFileName(String name) {
        int digits = name.length() - SEGMENT_PREFIX.length() - SEGMENT_SUFFIX.length();
        if (digits != 20 || !name.startsWith(SEGMENT_PREFIX) || !name.endsWith(SEGMENT_SUFFIX)) {
            return OptionalLong.empty();
        }
        String number = name.substring(SEGMENT_PREFIX.length(), SEGMENT_PREFIX.length() + digits);
        for (int i = 0; i < number.length(); i++) {
            if (number.charAt(i) < '0' || number.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Long.parseLong(number));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static ByteBuffer encodeHeader(long firstPosition) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        header.putInt(SEGMENT_MAGIC).putInt(SEGMENT_FORMAT_VERSION).putLong(firstPosition);
        header.putInt(HEADER_CRC_OFFSET, crc32c(header.array(), 0, HEADER_CRC_OFFSET));
        return header.clear();
    }

    /**
     * Checks a segment header read from {@code file}.
     *
     * @param header the first {@link #HEADER_BYTES} bytes (fewer when the file is shorter), from
     *     index 0
     * @return the first bad field, or empty when the header is sound
     */
    static Optional<Damage> checkHeader(Path file, ByteBuffer header, long expectedFirstPosition) {
        if (header.remaining() < HEADER_BYTES) {
            return damage(file, header.remaining(), "segment header is " + header.remaining() + " bytes, expected 32");
        }
        if (header.getInt(0) != SEGMENT_MAGIC) {
            return damage(file, 0, "bad segment magic " + hex(header.getInt(0)));
        }
        if (header.getInt(4) == 1 || header.getInt(4) == 2) {
            return damage(
                    file,
                    4,
                    "segment format version " + header.getInt(4)
                            + " (from an unreleased development build, before records carried tags) is not"
                            + " readable by this version, which reads format " + SEGMENT_FORMAT_VERSION
                            + " only; read the events out with the build that wrote them and append them here");
        }
        if (header.getInt(4) != SEGMENT_FORMAT_VERSION) {
            return damage(
                    file,
                    4,
                    "unsupported segment format version " + header.getInt(4) + " (expected " + SEGMENT_FORMAT_VERSION
                            + ")");
        }
        byte[] bytes = new byte[HEADER_CRC_OFFSET];
        header.get(0, bytes);
        if (header.getInt(HEADER_CRC_OFFSET) != crc32c(bytes, 0, bytes.length)) {
            return damage(file, HEADER_CRC_OFFSET, "segment header checksum (CRC32C) mismatch");
        }
        long first = header.getLong(8);
        if (first != expectedFirstPosition) {
            return damage(
                    file,
                    8,
                    "header says the segment starts at position " + first + ", its name says " + expectedFirstPosition
                            + " (was it renamed from " + segmentFileName(first) + "?)");
        }
        return Optional.empty();
    }

    private static Optional<Damage> damage(Path file, long offset, String problem) {
        return Optional.of(new Damage(file, offset, problem));
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static String hex(int value) {
        return String.format("0x%08X", value);
    }
}
