package io.factum.engine.internal.index;

import static io.factum.engine.internal.index.IndexFormat.ENTRIES_PER_BLOCK;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_BYTES;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_HEADER;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BYTES;
import static io.factum.engine.internal.index.IndexFormat.FOOTER_BYTES;
import static io.factum.engine.internal.index.IndexFormat.HEADER_BYTES;
import static io.factum.engine.internal.index.IndexFormat.NAME_BLOCK_HEADER;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * One immutable index file, open for reading. At open it reads and checks the header, the footer
 * and the meta section (entry fences, name-block index, bloom filter) and keeps them in memory;
 * blocks are read on demand with positional reads and their CRC32C is checked on every read, so a
 * damaged block is reported ({@link CorruptIndexException}) the first time it is needed, never used.
 * {@link #checkAllBlocks} checks every block at once (the index does it at open for small files).
 *
 * <p>Thread-safe: any number of threads read concurrently. Lifecycle: every {@link Snapshot} that
 * lists the file holds a reference; when the last one is released the channel is closed, and the
 * file deleted when a merge made it obsolete. An interrupted reader closes a {@link FileChannel}
 * for everyone, so a reader that finds the channel closed under it reopens it once and retries.
 */
final class IndexFile {

    /** How a file relates to one stream name. */
    enum Ownership {
        /** No entry of the file belongs to the stream. */
        ABSENT,
        /** The stream is the only name with its hash in the file: every entry with the hash is its. */
        SOLE,
        /** Several names in the file share the stream's hash: entries must be confirmed in the log. */
        SHARED
    }

    /** Receives entries of one hash in scan order; returns false to stop. */
    @FunctionalInterface
    interface EntryVisitor {
        boolean visit(long version, long position) throws IOException;
    }

    /** No name block is larger: names are at most a few KiB, and a block holds about 4 KiB. */
    private static final int MAX_NAME_BLOCK_BYTES = 1 << 26;

    /** Bytes {@link #checkAllBlocks} reads per call: 64 entry blocks, few syscalls, little heap. */
    private static final int CHECK_READ_BYTES = 64 * ENTRY_BLOCK_BYTES;

    private final FileIo io;
    private final Path path;
    private final long seq;
    private final long sizeBytes;
    private final IndexFormat.Header header;
    private final IndexFormat.Footer footer;
    private final long[] fenceHash;
    private final long[] fenceVersion;
    private final long[] nameFenceHash;
    private final long[] nameBlockOffset;
    private final BloomFilter bloom;
    private final AtomicInteger refs = new AtomicInteger();
    private volatile FileChannel channel;
    private volatile boolean obsolete;
    private boolean closed; // guarded by this

    private IndexFile(
            FileIo io,
            Path path,
            long seq,
            FileChannel channel,
            long sizeBytes,
            IndexFormat.Header header,
            IndexFormat.Footer footer,
            ByteBuffer meta) {
        this.io = io;
        this.path = path;
        this.seq = seq;
        this.channel = channel;
        this.sizeBytes = sizeBytes;
        this.header = header;
        this.footer = footer;
        this.fenceHash = new long[footer.entryBlockCount()];
        this.fenceVersion = new long[footer.entryBlockCount()];
        for (int i = 0; i < fenceHash.length; i++) {
            fenceHash[i] = meta.getLong();
            fenceVersion[i] = meta.getLong();
        }
        this.nameFenceHash = new long[footer.nameBlockCount()];
        this.nameBlockOffset = new long[footer.nameBlockCount()];
        for (int i = 0; i < nameFenceHash.length; i++) {
            nameFenceHash[i] = meta.getLong();
            nameBlockOffset[i] = meta.getLong();
        }
        this.bloom = BloomFilter.decode(meta, footer.bloomWords(), footer.bloomHashes());
    }

    /**
     * Opens and checks the header, footer and meta section; blocks are checked when read (or by
     * {@link #checkAllBlocks}).
     */
    static IndexFile open(Path path, long seq) throws IOException {
        return open(FileIo.system(), path, seq);
    }

    static IndexFile open(FileIo io, Path path, long seq) throws IOException {
        FileChannel ch = io.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < HEADER_BYTES + FOOTER_BYTES) {
                throw new CorruptIndexException(path, size, "file of " + size + " bytes is shorter than header+footer");
            }
            var header = IndexFormat.Header.decode(readFully(ch, path, 0, HEADER_BYTES), path);
            if (header.fileSeq() != seq) {
                throw new CorruptIndexException(path, 48, "header names file " + header.fileSeq() + ", not " + seq);
            }
            long footerOffset = size - FOOTER_BYTES;
            var footer = IndexFormat.Footer.decode(
                    readFully(ch, path, footerOffset, FOOTER_BYTES), path, footerOffset, header);
            if (footer.metaBytes() > Integer.MAX_VALUE - 64) {
                throw new CorruptIndexException(path, footerOffset, "meta section too large");
            }
            ByteBuffer meta = readFully(ch, path, footer.metaOffset(), (int) footer.metaBytes());
            CRC32C crc = new CRC32C();
            crc.update(meta.duplicate());
            if ((int) crc.getValue() != footer.metaCrc()) {
                throw new CorruptIndexException(
                        path, footer.metaOffset(), "meta section (fences, bloom) checksum mismatch");
            }
            IndexFile file = new IndexFile(io, path, seq, ch, size, header, footer, meta);
            file.checkFences();
            return file;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Cheap structural checks of the in-memory fences, so a lookup can trust them. */
    private void checkFences() throws CorruptIndexException {
        for (int i = 1; i < fenceHash.length; i++) {
            if (compare(fenceHash[i - 1], fenceVersion[i - 1], fenceHash[i], fenceVersion[i]) > 0) {
                throw new CorruptIndexException(path, footer.metaOffset() + i * 16L, "entry fences out of order");
            }
        }
        long nameFenceAt = footer.metaOffset() + (long) fenceHash.length * IndexFormat.FENCE_BYTES;
        for (int i = 0; i < nameBlockOffset.length; i++) {
            long start = nameBlockOffset[i];
            long end = i + 1 < nameBlockOffset.length ? nameBlockOffset[i + 1] : footer.entryBlocksOffset();
            boolean ordered = (i > 0 || start == HEADER_BYTES)
                    && end - start > NAME_BLOCK_HEADER
                    && end - start <= MAX_NAME_BLOCK_BYTES
                    && (i == 0 || nameFenceHash[i] >= nameFenceHash[i - 1]);
            if (!ordered) {
                throw new CorruptIndexException(path, nameFenceAt + i * 16L, "name-block index out of order");
            }
        }
    }

    static int compare(long hashA, long versionA, long hashB, long versionB) {
        int c = Long.compare(hashA, hashB);
        return c != 0 ? c : Long.compare(versionA, versionB);
    }

    Path path() {
        return path;
    }

    long seq() {
        return seq;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    IndexFormat.Header header() {
        return header;
    }

    IndexFormat.Footer footer() {
        return footer;
    }

    boolean mightContain(long hash) {
        return bloom.mightContain(hash);
    }

    /** Heap held by this open file: fences, name-block index and bloom filter. */
    long heapBytes() {
        long entryFences = 2 * (16L + fenceHash.length * 8L);
        long nameFences = 2 * (16L + nameFenceHash.length * 8L);
        return 200L + entryFences + nameFences + bloom.heapBytes();
    }

    // ---- lookups -------------------------------------------------------------------------------

    /** Whether the file holds entries of the stream, and whether its hash is shared here. */
    Ownership ownership(long hash, byte[] name) throws IOException {
        if (!bloom.mightContain(hash)) {
            return Ownership.ABSENT;
        }
        int block = Math.max(0, lastBelow(nameFenceHash, hash));
        int namesWithHash = 0;
        boolean found = false;
        for (; block < nameFenceHash.length; block++) {
            ByteBuffer b = readNameBlock(block);
            int end = b.limit();
            int at = NAME_BLOCK_HEADER;
            while (at < end) {
                long h = b.getLong(at);
                int len = b.getInt(at + 8);
                if (h > hash) {
                    return result(found, namesWithHash);
                }
                if (h == hash) {
                    namesWithHash++;
                    found |= Arrays.equals(b.array(), at + 12, at + 12 + len, name, 0, name.length);
                }
                at += 12 + len;
            }
        }
        return result(found, namesWithHash);
    }

    private static Ownership result(boolean found, int namesWithHash) {
        if (!found) {
            return Ownership.ABSENT;
        }
        return namesWithHash == 1 ? Ownership.SOLE : Ownership.SHARED;
    }

    /** Visits the entries with this hash and version >= fromVersion, ascending. */
    void scanForwards(long hash, long fromVersion, EntryVisitor visitor) throws IOException {
        int block = Math.max(0, lastFence(hash, fromVersion, false));
        EntryBlock b = readEntryBlock(block);
        int i = b.firstAtLeast(hash, fromVersion);
        while (true) {
            if (i == b.count) {
                if (++block == fenceHash.length) {
                    return;
                }
                b = readEntryBlock(block);
                i = 0;
            }
            if (b.hash(i) != hash || !visitor.visit(b.version(i), b.position(i))) {
                return;
            }
            i++;
        }
    }

    /** Visits the entries with this hash and version <= fromVersion, descending. */
    void scanBackwards(long hash, long fromVersion, EntryVisitor visitor) throws IOException {
        int block = lastFence(hash, fromVersion, true);
        if (block < 0) {
            return;
        }
        EntryBlock b = readEntryBlock(block);
        int i = b.firstAtLeast(hash, fromVersion);
        // firstAtLeast finds the first >= (hash, v); the last <= is there (if equal) or just before.
        while (i < b.count && compare(b.hash(i), b.version(i), hash, fromVersion) == 0) {
            i++;
        }
        i--;
        while (true) {
            if (i < 0) {
                if (--block < 0) {
                    return;
                }
                b = readEntryBlock(block);
                i = b.count - 1;
            }
            if (b.hash(i) != hash || !visitor.visit(b.version(i), b.position(i))) {
                return;
            }
            i--;
        }
    }

    /** The last block whose first key is below (or, when inclusive, at most) the given key; -1 if none. */
    private int lastFence(long hash, long version, boolean inclusive) {
        int lo = 0;
        int hi = fenceHash.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(fenceHash[mid], fenceVersion[mid], hash, version);
            if (c < 0 || (inclusive && c == 0)) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static int lastBelow(long[] sorted, long key) {
        int lo = 0;
        int hi = sorted.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    // ---- blocks --------------------------------------------------------------------------------

    int entryBlockCount() {
        return fenceHash.length;
    }

    int nameBlockCount() {
        return nameFenceHash.length;
    }

    long entryBlockOffset(int block) {
        return footer.entryBlocksOffset() + (long) block * ENTRY_BLOCK_BYTES;
    }

    long nameBlockOffset(int block) {
        return nameBlockOffset[block];
    }

    int nameBlockLength(int block) {
        long end = block + 1 < nameBlockOffset.length ? nameBlockOffset[block + 1] : footer.entryBlocksOffset();
        return (int) (end - nameBlockOffset[block]);
    }

    EntryBlock readEntryBlock(int block) throws IOException {
        return checkEntryBlock(readAt(entryBlockOffset(block), ENTRY_BLOCK_BYTES), block);
    }

    /** Reads several consecutive entry blocks in one call (sequential scans); each is checked. */
    ByteBuffer readEntryBlocks(int firstBlock, int blocks) throws IOException {
        return readAt(entryBlockOffset(firstBlock), blocks * ENTRY_BLOCK_BYTES);
    }

    /** Checks one entry block's checksum, count and first key (against its fence). */
    EntryBlock checkEntryBlock(ByteBuffer buf, int block) throws CorruptIndexException {
        long offset = entryBlockOffset(block);
        if (IndexFormat.crc(buf, buf.position() + 4, buf.position() + ENTRY_BLOCK_BYTES)
                != buf.getInt(buf.position())) {
            throw new CorruptIndexException(path, offset, "entry block " + block + " checksum mismatch");
        }
        int count = buf.getInt(buf.position() + 4);
        boolean last = block == fenceHash.length - 1;
        long expected = last ? header.entryCount() - (long) ENTRIES_PER_BLOCK * block : ENTRIES_PER_BLOCK;
        if (count != expected) {
            throw new CorruptIndexException(
                    path, offset + 4, "entry block " + block + " holds " + count + " entries, expected " + expected);
        }
        EntryBlock b = new EntryBlock(buf.slice(buf.position(), ENTRY_BLOCK_BYTES), count);
        if (b.hash(0) != fenceHash[block] || b.version(0) != fenceVersion[block]) {
            throw new CorruptIndexException(
                    path, offset + ENTRY_BLOCK_HEADER, "entry block " + block + " does not start with its fence key");
        }
        return b;
    }

    /** Reads one name block and checks its checksum and length; the buffer spans the whole block. */
    ByteBuffer readNameBlock(int block) throws IOException {
        return checkNameBlock(readAt(nameBlockOffset[block], nameBlockLength(block)), block);
    }

    /** Checks one name block (b spans exactly the block, from index 0); returns b. */
    private ByteBuffer checkNameBlock(ByteBuffer b, int block) throws CorruptIndexException {
        long offset = nameBlockOffset[block];
        if (IndexFormat.crc(b, 4, b.limit()) != b.getInt(0)) {
            throw new CorruptIndexException(path, offset, "name block " + block + " checksum mismatch");
        }
        if (b.getInt(4) != b.limit() - NAME_BLOCK_HEADER || b.getInt(8) < 1) {
            throw new CorruptIndexException(path, offset + 4, "name block " + block + " has a bad length or count");
        }
        int at = NAME_BLOCK_HEADER;
        for (int r = 0; r < b.getInt(8); r++) {
            int len = at + 12 <= b.limit() ? b.getInt(at + 8) : -1;
            if (len < 1 || at + 12 + len > b.limit()) {
                throw new CorruptIndexException(path, offset + at, "name record overruns its block");
            }
            at += 12 + len;
        }
        if (at != b.limit()) {
            throw new CorruptIndexException(path, offset + at, "name block " + block + " has trailing bytes");
        }
        return b;
    }

    /**
     * Reads every name and entry block and checks each as a lookup would (CRC32C, lengths, counts,
     * first key against its fence); throws at the first damaged one. Reads sequentially, up to
     * {@link #CHECK_READ_BYTES} per call, so checking a file costs about one pass over it.
     */
    void checkAllBlocks() throws IOException {
        int block = 0;
        while (block < nameBlockOffset.length) {
            long start = nameBlockOffset[block];
            int last = block;
            long end = start + nameBlockLength(block);
            while (last + 1 < nameBlockOffset.length && end + nameBlockLength(last + 1) - start <= CHECK_READ_BYTES) {
                last++;
                end += nameBlockLength(last);
            }
            ByteBuffer chunk = readAt(start, (int) (end - start));
            for (int b = block; b <= last; b++) {
                checkNameBlock(chunk.slice((int) (nameBlockOffset[b] - start), nameBlockLength(b)), b);
            }
            block = last + 1;
        }
        int perRead = CHECK_READ_BYTES / ENTRY_BLOCK_BYTES;
        for (int first = 0; first < fenceHash.length; first += perRead) {
            int blocks = Math.min(perRead, fenceHash.length - first);
            ByteBuffer chunk = readEntryBlocks(first, blocks);
            for (int i = 0; i < blocks; i++) {
                checkEntryBlock(chunk.position(i * ENTRY_BLOCK_BYTES), first + i);
            }
        }
    }

    private ByteBuffer readAt(long offset, int length) throws IOException {
        for (int attempt = 0; ; attempt++) {
            FileChannel ch = channel;
            try {
                return readFully(ch, path, offset, length);
            } catch (ClosedChannelException e) {
                // An interrupt of any reader closes the channel for all of them (FileChannel is
                // interruptible); reopen it for the others. The interrupted thread gets its error.
                boolean reopened = reopen(ch); // for the other readers, even if this one was interrupted
                if (!reopened || attempt > 0 || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
    }

    private synchronized boolean reopen(FileChannel stale) throws IOException {
        if (closed) {
            return false;
        }
        if (channel == stale) {
            channel = io.open(path, StandardOpenOption.READ);
        }
        return true;
    }

    private static ByteBuffer readFully(FileChannel ch, Path path, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) {
                throw new CorruptIndexException(path, offset + buf.position(), "unexpected end of file");
            }
        }
        return buf.flip();
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    void retain() {
        int before = refs.getAndIncrement();
        if (before < 0) {
            throw new IllegalStateException("retained a released index file " + path);
        }
    }

    void release() throws IOException {
        if (refs.decrementAndGet() == 0) {
            closeChannel();
            if (obsolete) {
                io.deleteIfExists(path);
            }
        }
    }

    /** A merge replaced this file: delete it once no snapshot uses it. */
    void markObsolete() {
        obsolete = true;
    }

    /** Closes a file no snapshot ever held (a failed open of the index, or verify). */
    synchronized void closeChannel() throws IOException {
        closed = true;
        channel.close();
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + header.minPosition() + ".." + header.maxPosition() + ", "
                + header.entryCount() + " entries]";
    }

    /** A checked entry block. */
    static final class EntryBlock {
        private final ByteBuffer buf;
        final int count;

        EntryBlock(ByteBuffer buf, int count) {
            this.buf = buf;
            this.count = count;
        }

        long hash(int i) {
            return buf.getLong(ENTRY_BLOCK_HEADER + i * ENTRY_BYTES);
        }

        long version(int i) {
            return buf.getLong(ENTRY_BLOCK_HEADER + i * ENTRY_BYTES + 8);
        }

        long position(int i) {
            return buf.getLong(ENTRY_BLOCK_HEADER + i * ENTRY_BYTES + 16);
        }

        /** The first index whose (hash, version) is >= the key, or count. */
        int firstAtLeast(long hash, long version) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (compare(hash(mid), version(mid), hash, version) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
