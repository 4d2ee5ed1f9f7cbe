package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Prepares the file of the log's next segment ahead of time: {@value #FILE_NAME}, filled with real
 * zero bytes to its full size and forced (data and metadata), so that the segment's group-commit
 * fsyncs later write into allocated blocks and never have to journal a file-size change. On ext4 a
 * synced 20 KiB write into such a file runs at about 9,000/s against 5,500/s when it appends.
 *
 * <p>One daemon thread does the work when the writer {@link #request requests} it; at most one
 * prepared file exists at a time (it is the only file this class writes). At a segment roll the
 * writer {@link #take takes} it: immediately when it is ready, after the preparation in progress
 * when there is one (which is less work than starting over), or by preparing it on the writer
 * thread when the background never started or failed (correct, only slower). A background failure
 * is logged and turns the background off; the writer's own attempt then surfaces the error.
 *
 * <p>The file is named {@code *.tmp}, so recovery deletes a leftover one at open: a crash during
 * preparation can never be mistaken for data, since only a rename by the writer, after it wrote and
 * forced the segment header, gives the file a segment name.
 *
 * <p>Thread-safety: {@link #request}, {@link #take} and {@link #close} are called by the writer
 * thread; state is guarded by one lock, and preparation itself runs outside it.
 */
final class SegmentPreparer implements Closeable {
    static final String FILE_NAME = "segment-next" + LogFormat.TMP_SUFFIX;

    private static final System.Logger LOG = System.getLogger(SegmentedLog.class.getName());

    /** Granularity of a file: a whole number of 4 KiB blocks. */
    private static final long BLOCK_BYTES = 4096;

    /**
     * Room past {@code segmentSizeBytes} for the frame that crosses it (a segment rolls only before
     * a frame that would start at or beyond its size). Bigger frames simply extend the file:
     * correct, and the size change is journaled only for that segment's last writes.
     */
    private static final long MAX_HEADROOM_BYTES = 1 << 20;

    /**
     * Dirty zeros are forced every this many bytes, so that the writer's fsyncs (which on ext4 share
     * the journal commit with this file's block allocations) never wait for hundreds of megabytes.
     */
    private static final long FORCE_EVERY_BYTES = 8 << 20;

    /** Bound on how long {@link #close} waits for the thread to stop (it checks between chunks). */
    private static final long CLOSE_WAIT_SECONDS = 30;

    private enum State {
        IDLE,
        REQUESTED,
        PREPARING,
        READY
    }

    private final Path path;
    private final FileIo io;
    private final long fileBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private State state = State.IDLE;
    /** The background failed once; only the writer prepares from then on. */
    private boolean backgroundOff;

    private volatile boolean closed;

    SegmentPreparer(Path dir, FileIo io, long segmentSizeBytes) {
        this.path = dir.resolve(FILE_NAME);
        this.io = io;
        this.fileBytes = fileBytes(segmentSizeBytes);
        this.thread = Thread.ofPlatform()
                .daemon()
                .name("factum-segment-preparer-" + dir.getFileName())
                .unstarted(this::run);
        thread.start();
    }

    /** The size of a prepared file: the segment size plus headroom, in whole 4 KiB blocks. */
    static long fileBytes(long segmentSizeBytes) {
        long wanted = segmentSizeBytes + Math.min(segmentSizeBytes, MAX_HEADROOM_BYTES);
        return (wanted + BLOCK_BYTES - 1) / BLOCK_BYTES * BLOCK_BYTES;
    }

    Path path() {
        return path;
    }

    /** Asks for the next file to be prepared in the background; returns at once. */
    void request() {
        lock.lock();
        try {
            if (state == State.IDLE && !backgroundOff && !closed) {
                state = State.REQUESTED;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Whether a prepared file is waiting (so that {@link #take} would not wait or prepare). */
    boolean ready() {
        lock.lock();
        try {
            return state == State.READY;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The prepared file, zero-filled and forced, for the writer to turn into the next segment.
     *
     * @throws IOException when the writer had to prepare it and that failed
     */
    Path take() throws IOException {
        lock.lock();
        try {
            while (state == State.PREPARING) {
                changed.awaitUninterruptibly();
            }
            if (state == State.READY) {
                state = State.IDLE;
                return path;
            }
            // Idle, or requested but not started: the background must not start now.
            state = State.PREPARING;
        } finally {
            lock.unlock();
        }
        try {
            prepare(false);
            return path;
        } finally {
            setState(State.IDLE);
        }
    }

    private void run() {
        while (true) {
            lock.lock();
            try {
                while (state != State.REQUESTED && !closed) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                state = State.PREPARING;
            } finally {
                lock.unlock();
            }
            try {
                prepare(true);
                setState(State.READY);
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "preparing " + path + " failed; the writer will prepare segments itself", e);
                }
                lock.lock();
                try {
                    backgroundOff = true;
                    state = State.IDLE;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void setState(State next) {
        lock.lock();
        try {
            state = next;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the zero-filled file from scratch and forces it with its metadata (size, extents). */
    private void prepare(boolean background) throws IOException {
        io.deleteIfExists(path);
        try (FileChannel channel = io.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(LogFiles.ZERO_CHUNK_BYTES, fileBytes));
            long at = 0;
            long forcedAt = 0;
            while (at < fileBytes) {
                if (background && closed) {
                    throw new InterruptedIOException("the log is closing");
                }
                zeros.clear().limit((int) Math.min(zeros.capacity(), fileBytes - at));
                LogFiles.writeFully(channel, zeros, at);
                at += zeros.limit();
                if (at - forcedAt >= FORCE_EVERY_BYTES) {
                    channel.force(false);
                    forcedAt = at;
                }
            }
            channel.force(true);
        }
    }

    /** Stops the thread (bounded) and deletes an unused prepared file. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!thread.isAlive()) {
            io.deleteIfExists(path);
        }
    }
}
