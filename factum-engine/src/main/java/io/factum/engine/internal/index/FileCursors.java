package io.factum.engine.internal.index;

import static io.factum.engine.internal.index.IndexFormat.ENTRY_BLOCK_BYTES;
import static io.factum.engine.internal.index.IndexFormat.NAME_BLOCK_HEADER;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Sequential cursors over the whole of an index file, for merges: names in (hash, name) order and
 * entries in (hash, version, position) order. Every block's checksum is checked as it is read, so
 * a merge never copies damaged data into a new file. Not thread-safe; one cursor per thread.
 */
final class FileCursors {

    /** Entry blocks fetched per read call in a sequential scan: 128 KiB, one syscall per 5440 entries. */
    private static final int BLOCKS_PER_READ = 32;

    private FileCursors() {}

    static final class NameCursor {
        private final IndexFile file;
        private int block = -1;
        private ByteBuffer buf = ByteBuffer.allocate(0);
        private int at;
        private long hash;
        private byte[] name = new byte[0];

        NameCursor(IndexFile file) {
            this.file = file;
        }

        boolean next() throws IOException {
            while (at >= buf.limit()) {
                if (++block == file.nameBlockCount()) {
                    return false;
                }
                buf = file.readNameBlock(block);
                at = NAME_BLOCK_HEADER;
            }
            hash = buf.getLong(at);
            int len = buf.getInt(at + 8);
            name = Arrays.copyOfRange(buf.array(), at + 12, at + 12 + len);
            at += 12 + len;
            return true;
        }

        long hash() {
            return hash;
        }

        byte[] name() {
            return name;
        }

        /** Byte offset of the current block, for error reports. */
        long blockOffset() {
            return file.nameBlockOffset(block);
        }
    }

    static final class EntryCursor {
        private final IndexFile file;
        private int nextBlock;
        private IndexFile.EntryBlock[] blocks = new IndexFile.EntryBlock[0];
        private int blockInChunk;
        private int index;
        private long hash;
        private long version;
        private long position;

        EntryCursor(IndexFile file) {
            this.file = file;
        }

        boolean next() throws IOException {
            while (blockInChunk >= blocks.length || index >= blocks[blockInChunk].count) {
                if (blockInChunk < blocks.length) {
                    blockInChunk++;
                    index = 0;
                    continue;
                }
                if (nextBlock == file.entryBlockCount()) {
                    return false;
                }
                readChunk();
            }
            IndexFile.EntryBlock b = blocks[blockInChunk];
            hash = b.hash(index);
            version = b.version(index);
            position = b.position(index);
            index++;
            return true;
        }

        private void readChunk() throws IOException {
            int n = Math.min(BLOCKS_PER_READ, file.entryBlockCount() - nextBlock);
            ByteBuffer chunk = file.readEntryBlocks(nextBlock, n);
            blocks = new IndexFile.EntryBlock[n];
            for (int i = 0; i < n; i++) {
                blocks[i] = file.checkEntryBlock(chunk.position(i * ENTRY_BLOCK_BYTES), nextBlock + i);
            }
            nextBlock += n;
            blockInChunk = 0;
            index = 0;
        }

        long hash() {
            return hash;
        }

        long version() {
            return version;
        }

        long position() {
            return position;
        }
    }
}
