package io.factum.engine.internal.index;

import static io.factum.engine.internal.index.IndexFormat.ENTRIES_PER_BLOCK;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_BYTES;
import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_HEADER;
import static io.factum.engine.internal.index.IndexFormat.FOOTER_BYTES;
import static io.factum.engine.internal.index.IndexFormat.HEADER_BYTES;
import static io.factum.engine.internal.index.IndexFormat.NAME_BLOCK_HEADER;
import static io.factum.engine.internal.index.IndexFormat.NAME_BLOCK_TARGET_BYTES;

import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes one index file sequentially: first every (hash, name) in strictly increasing order, then
 * every (hash, version, position) in strictly increasing order, then {@link #finish}, which writes
 * the meta section, the footer and the header and fsyncs. The bloom filter is sized exactly because
 * the names (hence the number of distinct hashes) come before the entries.
 *
 * <p>A file that was not finished is garbage: it is not in the manifest, and {@link StreamIndex}
 * deletes such files at open. Not thread-safe; one writer per file.
 */
final class IndexFileWriter implements Closeable {
    private final FileIo io;
    private final Path path;
    private final long seq;
    private final int bloomBitsPerKey;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(1 << 16);
    private long written = HEADER_BYTES;

    private ByteBuffer nameBlock = ByteBuffer.allocate(NAME_BLOCK_TARGET_BYTES);
    private int nameBlockRecords;
    private long nameBlockFirstHash;
    private final LongList nameFenceHash = new LongList();
    private final LongList nameBlockOffset = new LongList();
    private long names;
    private long distinctHashes;
    private long lastNameHash;
    private byte[] lastName = new byte[0];

    private boolean entriesStarted;
    private BloomFilter bloom = BloomFilter.create(1, 1);
    private long entryBlocksOffset;
    private final ByteBuffer entryBlock = ByteBuffer.allocate(ENTRY_BLOCK_BYTES);
    private int blockEntries;
    private final LongList fenceHash = new LongList();
    private final LongList fenceVersion = new LongList();
    private long entries;
    private long entryHashes;
    private long lastHash;
    private long lastVersion;
    private long lastPosition;
    private long minPosition = Long.MAX_VALUE;
    private long maxPosition = -1;
    private boolean finished;

    IndexFileWriter(FileIo io, Path path, long seq, int bloomBitsPerKey) throws IOException {
        this.io = io;
        this.path = path;
        this.seq = seq;
        this.bloomBitsPerKey = bloomBitsPerKey;
        this.channel = io.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        channel.position(HEADER_BYTES);
    }

    Path path() {
        return path;
    }

    void addName(long hash, byte[] name) throws IOException {
        if (entriesStarted) {
            throw new IllegalStateException("names must all come before the entries");
        }
        if (names > 0) {
            int cmp = Long.compare(hash, lastNameHash);
            if (cmp < 0 || (cmp == 0 && Arrays.compareUnsigned(name, lastName) <= 0)) {
                throw new IllegalStateException("names out of order at hash " + hash);
            }
            if (cmp != 0) {
                distinctHashes++;
            }
        } else {
            distinctHashes = 1;
        }
        int recordBytes = 12 + name.length;
        if (nameBlockRecords > 0 && nameBlock.position() + recordBytes > NAME_BLOCK_TARGET_BYTES - NAME_BLOCK_HEADER) {
            closeNameBlock();
        }
        if (nameBlockRecords == 0) {
            nameBlockFirstHash = hash;
        }
        if (nameBlock.remaining() < recordBytes) {
            ByteBuffer bigger = ByteBuffer.allocate(nameBlock.position() + recordBytes);
            nameBlock.flip();
            bigger.put(nameBlock);
            nameBlock = bigger;
        }
        nameBlock.putLong(hash).putInt(name.length).put(name);
        nameBlockRecords++;
        names++;
        lastNameHash = hash;
        lastName = name;
    }

    private void closeNameBlock() throws IOException {
        int payload = nameBlock.position();
        ByteBuffer block = ByteBuffer.allocate(NAME_BLOCK_HEADER + payload);
        block.putInt(0).putInt(payload).putInt(nameBlockRecords);
        block.put(nameBlock.flip());
        block.putInt(0, IndexFormat.crc(block, 4, block.capacity()));
        nameFenceHash.add(nameBlockFirstHash);
        nameBlockOffset.add(written);
        write(block.flip());
        nameBlock = ByteBuffer.allocate(NAME_BLOCK_TARGET_BYTES);
        nameBlockRecords = 0;
    }

    void addEntry(long hash, long version, long position) throws IOException {
        if (!entriesStarted) {
            startEntries();
        }
        if (entries > 0) {
            int cmp = hash != lastHash ? Long.compare(hash, lastHash) : Long.compare(version, lastVersion);
            if (cmp < 0 || (cmp == 0 && position <= lastPosition)) {
                throw new IllegalStateException("entries out of order at hash " + hash + " version " + version);
            }
        }
        if (entries == 0 || hash != lastHash) {
            bloom.add(hash);
            entryHashes++;
        }
        if (blockEntries == 0) {
            fenceHash.add(hash);
            fenceVersion.add(version);
            entryBlock.clear().position(ENTRY_BLOCK_HEADER);
        }
        entryBlock.putLong(hash).putLong(version).putLong(position);
        if (++blockEntries == ENTRIES_PER_BLOCK) {
            closeEntryBlock();
        }
        entries++;
        lastHash = hash;
        lastVersion = version;
        lastPosition = position;
        minPosition = Math.min(minPosition, position);
        maxPosition = Math.max(maxPosition, position);
    }

    private void startEntries() throws IOException {
        if (names == 0) {
            throw new IllegalStateException("an index file needs at least one stream name");
        }
        if (nameBlockRecords > 0) {
            closeNameBlock();
        }
        entriesStarted = true;
        entryBlocksOffset = written;
        bloom = BloomFilter.create(distinctHashes, bloomBitsPerKey);
    }

    private void closeEntryBlock() throws IOException {
        // Zero the padding so the bytes on disk (and their checksum) do not depend on old contents.
        while (entryBlock.hasRemaining()) {
            entryBlock.put((byte) 0);
        }
        entryBlock.putInt(4, blockEntries);
        entryBlock.putInt(0, IndexFormat.crc(entryBlock, 4, ENTRY_BLOCK_BYTES));
        write(entryBlock.flip());
        blockEntries = 0;
    }

    /** Writes the meta section, footer and header, fsyncs and closes; returns the header. */
    IndexFormat.Header finish() throws IOException {
        if (entries == 0) {
            throw new IllegalStateException("an index file needs at least one entry");
        }
        if (entryHashes != distinctHashes) {
            throw new IllegalStateException(
                    "entries use " + entryHashes + " distinct hashes but the names " + distinctHashes);
        }
        if (blockEntries > 0) {
            closeEntryBlock();
        }
        long metaOffset = written;
        ByteBuffer meta = ByteBuffer.allocate(
                (fenceHash.size() + nameFenceHash.size()) * IndexFormat.FENCE_BYTES + bloom.wordCount() * 8);
        for (int i = 0; i < fenceHash.size(); i++) {
            meta.putLong(fenceHash.get(i)).putLong(fenceVersion.get(i));
        }
        for (int i = 0; i < nameFenceHash.size(); i++) {
            meta.putLong(nameFenceHash.get(i)).putLong(nameBlockOffset.get(i));
        }
        bloom.encodeInto(meta);
        CRC32C metaCrc = new CRC32C();
        metaCrc.update(meta.flip().duplicate());
        write(meta);
        var footer = new IndexFormat.Footer(
                HEADER_BYTES,
                nameFenceHash.size(),
                fenceHash.size(),
                entryBlocksOffset,
                metaOffset,
                distinctHashes,
                bloom.wordCount(),
                bloom.hashCount(),
                (int) metaCrc.getValue());
        write(footer.encode());
        drain();
        var header = new IndexFormat.Header(entries, names, minPosition, maxPosition, seq);
        ByteBuffer h = header.encode();
        while (h.hasRemaining()) {
            channel.write(h, h.position());
        }
        channel.force(true);
        channel.close();
        finished = true;
        if (written != metaOffset + footer.metaBytes() + FOOTER_BYTES) {
            throw new IllegalStateException("index file size mismatch in " + path);
        }
        return header;
    }

    long sizeBytes() {
        return written;
    }

    private void write(ByteBuffer src) throws IOException {
        written += src.remaining();
        while (src.hasRemaining()) {
            if (!out.hasRemaining()) {
                drain();
            }
            int n = Math.min(out.remaining(), src.remaining());
            ByteBuffer slice = src.slice(src.position(), n);
            out.put(slice);
            src.position(src.position() + n);
        }
    }

    private void drain() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            channel.write(out);
        }
        out.clear();
    }

    /** Abandons an unfinished file: closes and deletes it. Idempotent; no effect once finished. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            channel.close();
            io.deleteIfExists(path);
            finished = true;
        }
    }
}
