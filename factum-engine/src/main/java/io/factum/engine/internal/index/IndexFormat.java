package io.factum.engine.internal.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Constants and fixed-size codecs of the index file format (version 1). The layout is specified in
 * the Javadoc of {@link StreamIndex} and in {@code docs/internals/index.md}; all integers are
 * big-endian.
 */
final class IndexFormat {

    static final int FORMAT_VERSION = 1;

    /** "FXIDX" + 0x0D0A1A: a text-mode transfer or a truncated copy shows up as a bad magic. */
    static final long FILE_MAGIC = 0x4658494458_0D0A1AL;

    static final long FOOTER_MAGIC = 0x4658494458_454E44L; // "FXIDXEND"

    static final int HEADER_BYTES = 64;
    static final int FOOTER_BYTES = 68;

    /** (hash, version, position), each a long. */
    static final int ENTRY_BYTES = 24;

    /**
     * One entry block is exactly one 4 KiB page: a CRC32C, an entry count and 170 entries (8 bytes
     * of padding remain). Fixed-size blocks make the block of an entry a multiplication away, and a
     * page is the unit the OS reads anyway.
     */
    static final int ENTRY_BLOCK_BYTES = 4096;

    static final int ENTRY_BLOCK_HEADER = 8;
    static final int ENTRIES_PER_BLOCK = (ENTRY_BLOCK_BYTES - ENTRY_BLOCK_HEADER) / ENTRY_BYTES;

    /** A name block: CRC32C, payload length, record count, then records (hash, length, bytes). */
    static final int NAME_BLOCK_HEADER = 12;

    /** Name blocks close once they reach this size; a single longer record gets a block of its own. */
    static final int NAME_BLOCK_TARGET_BYTES = 4096;

    /** Each fence in the meta section: two longs. */
    static final int FENCE_BYTES = 16;

    private static final Pattern FILE_NAME = Pattern.compile("index-(\\d{20})\\.fidx");

    private IndexFormat() {}

    static String fileName(long seq) {
        return String.format("index-%020d.fidx", seq);
    }

    /** The sequence number of an index file name, or empty for any other name. */
    static Optional<Long> seqOf(Path file) {
        Matcher m = FILE_NAME.matcher(file.getFileName().toString());
        return m.matches() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    static int crc(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(to).position(from);
        crc.update(view);
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The file header, at offset 0.
     *
     * <pre>
     * 0  magic          long   FILE_MAGIC
     * 8  formatVersion  int    1
     * 12 headerBytes    int    64
     * 16 entryCount     long
     * 24 streamCount    long   distinct stream names in this file
     * 32 minPosition    long   smallest log position in this file
     * 40 maxPosition    long   largest log position: the file indexes the log up to here
     * 48 fileSeq        long   the number in the file name
     * 56 reserved       int    0
     * 60 crc32c         int    over bytes 0..59
     * </pre>
     */
    record Header(long entryCount, long streamCount, long minPosition, long maxPosition, long fileSeq) {

        ByteBuffer encode() {
            ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
            b.putLong(FILE_MAGIC).putInt(FORMAT_VERSION).putInt(HEADER_BYTES);
            b.putLong(entryCount).putLong(streamCount).putLong(minPosition).putLong(maxPosition);
            b.putLong(fileSeq).putInt(0);
            b.putInt(crc(b, 0, HEADER_BYTES - 4));
            return b.flip();
        }

        static Header decode(ByteBuffer b, Path file) throws CorruptIndexException {
            if (b.remaining() < HEADER_BYTES) {
                throw new CorruptIndexException(file, b.remaining(), "file shorter than its header");
            }
            if (crc(b, 0, HEADER_BYTES - 4) != b.getInt(HEADER_BYTES - 4)) {
                throw new CorruptIndexException(file, 0, "header checksum mismatch");
            }
            if (b.getLong(0) != FILE_MAGIC) {
                throw new CorruptIndexException(file, 0, "not an index file (bad magic)");
            }
            if (b.getInt(8) != FORMAT_VERSION || b.getInt(12) != HEADER_BYTES) {
                throw new CorruptIndexException(file, 8, "unsupported format version " + b.getInt(8));
            }
            Header h = new Header(b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48));
            if (h.entryCount < 1 || h.streamCount < 1 || h.streamCount > h.entryCount) {
                throw new CorruptIndexException(file, 16, "implausible counts " + h);
            }
            if (h.minPosition < 0 || h.maxPosition < h.minPosition) {
                throw new CorruptIndexException(file, 32, "implausible position range " + h);
            }
            return h;
        }
    }

    /**
     * The file footer, the last 68 bytes.
     *
     * <pre>
     * 0  nameBlocksOffset   long   always 64
     * 8  nameBlockCount     int
     * 12 entryBlockCount    int
     * 16 entryBlocksOffset  long
     * 24 metaOffset         long   entry fences, then the name-block index, then the bloom filter
     * 32 distinctHashes     long   keys in the bloom filter
     * 40 bloomWords         int    longs in the bloom filter
     * 44 bloomHashes        int    probes per key
     * 48 metaCrc            int    CRC32C of the whole meta section
     * 52 reserved           int    0
     * 56 magic              long   FOOTER_MAGIC
     * 64 crc32c             int    over bytes 0..63
     * </pre>
     */
    record Footer(
            long nameBlocksOffset,
            int nameBlockCount,
            int entryBlockCount,
            long entryBlocksOffset,
            long metaOffset,
            long distinctHashes,
            int bloomWords,
            int bloomHashes,
            int metaCrc) {

        long metaBytes() {
            return (long) entryBlockCount * FENCE_BYTES + (long) nameBlockCount * FENCE_BYTES + bloomWords * 8L;
        }

        ByteBuffer encode() {
            ByteBuffer b = ByteBuffer.allocate(FOOTER_BYTES);
            b.putLong(nameBlocksOffset).putInt(nameBlockCount).putInt(entryBlockCount);
            b.putLong(entryBlocksOffset).putLong(metaOffset).putLong(distinctHashes);
            b.putInt(bloomWords).putInt(bloomHashes).putInt(metaCrc).putInt(0).putLong(FOOTER_MAGIC);
            b.putInt(crc(b, 0, FOOTER_BYTES - 4));
            return b.flip();
        }

        /** Decodes and checks the footer against the header and the file size. */
        static Footer decode(ByteBuffer b, Path file, long footerOffset, Header header) throws CorruptIndexException {
            if (crc(b, 0, FOOTER_BYTES - 4) != b.getInt(FOOTER_BYTES - 4)) {
                throw new CorruptIndexException(file, footerOffset, "footer checksum mismatch");
            }
            if (b.getLong(56) != FOOTER_MAGIC) {
                throw new CorruptIndexException(file, footerOffset + 56, "bad footer magic");
            }
            Footer f = new Footer(
                    b.getLong(0),
                    b.getInt(8),
                    b.getInt(12),
                    b.getLong(16),
                    b.getLong(24),
                    b.getLong(32),
                    b.getInt(40),
                    b.getInt(44),
                    b.getInt(48));
            long expectedBlocks = (header.entryCount() + ENTRIES_PER_BLOCK - 1) / ENTRIES_PER_BLOCK;
            boolean consistent = f.nameBlocksOffset == HEADER_BYTES
                    && f.nameBlockCount >= 1
                    && f.entryBlockCount == expectedBlocks
                    && f.entryBlocksOffset > f.nameBlocksOffset
                    && f.metaOffset == f.entryBlocksOffset + (long) f.entryBlockCount * ENTRY_BLOCK_BYTES
                    && f.distinctHashes >= 1
                    && f.distinctHashes <= header.streamCount()
                    && BloomFilter.validShape(f.bloomWords, f.bloomHashes)
                    && f.metaOffset + f.metaBytes() == footerOffset;
            if (!consistent) {
                throw new CorruptIndexException(file, footerOffset, "footer does not match the file: " + f);
            }
            return f;
        }
    }
}
