package io.factum.engine.internal.log;

import io.factum.api.StoreClosedException;
import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The read-only channel all readers of one segment share, through positional reads ({@code
 * pread}), which are thread-safe and need no lock.
 *
 * <p>Why positional reads and not a memory map of sealed segments: on Java 21 a {@code
 * MappedByteBuffer} cannot be unmapped deterministically (the {@code Arena} overload of {@code
 * FileChannel.map} is a preview API there), so deleted or scavenged segments would pin disk space
 * and address space until a GC; one mapping is limited to 2 GiB while segment sizes are
 * configurable; and a media error under a mapping surfaces as an asynchronous {@code InternalError}
 * instead of an {@code IOException} naming the file. Reads are served from the page cache either way,
 * and the log's reads are chunked (8 KiB to 1 MiB), so the extra copy costs little.
 *
 * <p>A {@link FileChannel} is closed for everybody when a thread blocked in it is interrupted.
 * Readers may run on interruptible threads (cancelled requests), so a reader that finds the channel
 * closed under it by another thread's interrupt reopens it and retries; the interrupted thread
 * itself gets its {@link ClosedByInterruptException}.
 */
final class SegmentChannel implements Closeable {
    private static final int MAX_REOPENS = 3;

    private final Path path;
    private final FileIo io;
    private volatile FileChannel channel;
    private volatile boolean closed;

    SegmentChannel(Path path, FileIo io) throws IOException {
        this.path = path;
        this.io = io;
        this.channel = io.open(path, StandardOpenOption.READ);
    }

    /** Positional read as {@link FileChannel#read(ByteBuffer, long)}; {@code -1} at end of file. */
    int read(ByteBuffer dst, long offset) throws IOException {
        int start = dst.position();
        for (int attempt = 0; ; attempt++) {
            FileChannel current = channel;
            try {
                return current.read(dst, offset);
            } catch (ClosedChannelException e) {
                if (closed) {
                    throw new StoreClosedException("the log is closed (reading " + path + ")");
                }
                if (e instanceof ClosedByInterruptException || attempt >= MAX_REOPENS) {
                    throw e;
                }
                dst.position(start);
                reopen(current);
            }
        }
    }

    private synchronized void reopen(FileChannel failed) throws IOException {
        if (channel == failed && !closed) {
            channel = io.open(path, StandardOpenOption.READ);
        }
    }

    Path path() {
        return path;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        channel.close();
    }
}
