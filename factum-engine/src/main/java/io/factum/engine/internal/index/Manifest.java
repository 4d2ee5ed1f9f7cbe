package io.factum.engine.internal.index;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which index files are live, and the checkpoint they reach. Replaced atomically: written to {@code
 * MANIFEST.tmp}, fsynced, renamed over {@code MANIFEST}, then the directory is fsynced. A file is
 * listed only after it was completely written and fsynced.
 *
 * <pre>
 * 0  magic         long  "FXIDXMAN"
 * 8  formatVersion int   1
 * 12 fileCount     int
 * 16 generation    long  +1 per manifest written
 * 24 indexedUpTo   long  every log position <= this is in the listed files; -1 for none
 * 32 entryCount    long  entries in the listed files
 * 40 streamCount   long  adds with version 0 among them
 * 48 nextFileSeq   long  the next index file number
 * 56 files         fileCount x (seq, sizeBytes, entryCount, minPosition, maxPosition), 40 bytes
 *                  each, newest positions first; position ranges are disjoint
 * .. crc32c        int   over every byte before it
 * </pre>
 *
 * @param files newest (highest positions) first
 */
record Manifest(
        long generation,
        long indexedUpTo,
        long entryCount,
        long streamCount,
        long nextFileSeq,
        List<FileRecord> files) {

    static final String NAME = "MANIFEST";
    static final String TMP_NAME = "MANIFEST.tmp";
    static final long MAGIC = 0x46584944584D414EL; // "FXIDXMAN"
    private static final int FIXED_BYTES = 56;
    private static final int FILE_RECORD_BYTES = 40;
    /** Far above any real manifest (about 40 bytes per index file, and an index has a few dozen). */
    private static final long MAX_BYTES = 64L << 20;

    Manifest {
        files = List.copyOf(files);
    }

    /** One live file: enough to check, at open, that the file is the one that was written. */
    record FileRecord(long seq, long sizeBytes, long entryCount, long minPosition, long maxPosition) {}

    static Manifest empty() {
        return new Manifest(0, -1, 0, 0, 1, List.of());
    }

    /** Reads and checks the manifest; empty when there is none (a new or deleted index). */
    static Optional<Manifest> read(FileIo io, Path dir) throws IOException {
        Path path = dir.resolve(NAME);
        ByteBuffer bytes;
        try (FileChannel ch = io.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_BYTES) {
                throw new CorruptIndexException(path, 0, "manifest of " + size + " bytes is larger than any index's");
            }
            bytes = ByteBuffer.allocate((int) size);
            while (bytes.hasRemaining()) {
                if (ch.read(bytes, bytes.position()) < 0) {
                    break; // the file shrank while being read: decode reports it as truncated
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(decode(bytes.flip(), path));
    }

    static Manifest decode(ByteBuffer b, Path path) throws CorruptIndexException {
        int size = b.remaining();
        if (size < FIXED_BYTES + 4) {
            throw new CorruptIndexException(path, size, "manifest of " + size + " bytes is truncated");
        }
        if (b.getLong(0) != MAGIC) {
            throw new CorruptIndexException(path, 0, "not an index manifest (bad magic)");
        }
        if (b.getInt(8) != IndexFormat.FORMAT_VERSION) {
            throw new CorruptIndexException(path, 8, "unsupported manifest version " + b.getInt(8));
        }
        int count = b.getInt(12);
        long expected = FIXED_BYTES + (long) count * FILE_RECORD_BYTES + 4;
        if (count < 0 || expected != size) {
            throw new CorruptIndexException(
                    path,
                    Math.min(size, 12),
                    "manifest of " + size + " bytes for " + count + " files (expected " + expected
                            + " bytes): truncated or damaged");
        }
        if (IndexFormat.crc(b, 0, size - 4) != b.getInt(size - 4)) {
            throw new CorruptIndexException(path, size - 4, "manifest checksum mismatch");
        }
        List<FileRecord> files = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = FIXED_BYTES + i * FILE_RECORD_BYTES;
            files.add(new FileRecord(
                    b.getLong(at), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24), b.getLong(at + 32)));
        }
        var m = new Manifest(b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48), files);
        m.check(path);
        return m;
    }

    /** Semantic checks: ranges disjoint and newest first, counts that add up, sequence numbers. */
    private void check(Path path) throws CorruptIndexException {
        long entries = 0;
        long above = indexedUpTo + 1;
        Set<Long> seqs = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            FileRecord f = files.get(i);
            boolean ok = f.maxPosition < above
                    && f.minPosition >= 0
                    && f.minPosition <= f.maxPosition
                    && f.entryCount >= 1
                    && f.sizeBytes > IndexFormat.HEADER_BYTES
                    && f.seq > 0
                    && f.seq < nextFileSeq
                    && seqs.add(f.seq);
            if (!ok) {
                throw new CorruptIndexException(
                        path, FIXED_BYTES + (long) i * FILE_RECORD_BYTES, "bad file record " + f);
            }
            above = f.minPosition;
            entries += f.entryCount;
        }
        if (entries != entryCount || streamCount < 0 || streamCount > entryCount || indexedUpTo < -1) {
            throw new CorruptIndexException(path, 24, "manifest counts do not add up: " + this);
        }
    }

    ByteBuffer encode() {
        int size = FIXED_BYTES + files.size() * FILE_RECORD_BYTES + 4;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putLong(MAGIC).putInt(IndexFormat.FORMAT_VERSION).putInt(files.size());
        b.putLong(generation)
                .putLong(indexedUpTo)
                .putLong(entryCount)
                .putLong(streamCount)
                .putLong(nextFileSeq);
        for (FileRecord f : files) {
            b.putLong(f.seq)
                    .putLong(f.sizeBytes)
                    .putLong(f.entryCount)
                    .putLong(f.minPosition)
                    .putLong(f.maxPosition);
        }
        b.putInt(IndexFormat.crc(b, 0, size - 4));
        return b.flip();
    }

    /** Replaces the manifest in dir atomically and durably. */
    void write(FileIo io, Path dir) throws IOException {
        Path tmp = dir.resolve(TMP_NAME);
        ByteBuffer bytes = encode();
        try (FileChannel ch = io.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        io.move(tmp, dir.resolve(NAME));
        io.fsyncDirectory(dir); // POSIX makes a rename durable only with an fsync of the directory
    }
}
