package io.factum.engine.internal.index;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a reader sees: the active memtable, the frozen one being flushed (if any), and the live
 * files, newest positions first. Immutable apart from the active memtable, which only grows.
 *
 * <p>Every transition (memtable rotation, flush, merge) publishes a new snapshot in which every
 * entry of the old one is still visible (in a memtable or a file), so a reader never misses an
 * entry that was added before it loaded the snapshot.
 *
 * <p>Reference counted: the index holds its snapshot until a newer one is current ({@link
 * #retire()}), and every reader takes a reference for the duration of its read; files are released
 * when the snapshot is retired and the last reader is gone. Every append and every read takes a
 * reference, from many threads at once, so the count is striped over padded cells (a thread
 * counts in its own cell, not all threads in one contended word), and only a retired snapshot
 * adds the cells up.
 */
final class Snapshot {
    private static final int CELLS = 32;
    /** Longs per cell: 128 bytes, so that two cells never share a cache line (or its neighbour). */
    private static final int PAD = 16;

    final Memtable active;
    final Optional<Memtable> frozen;
    final List<IndexFile> files;
    private final AtomicLongArray cells = new AtomicLongArray(CELLS * PAD);
    private volatile boolean retired;
    private final AtomicBoolean freed = new AtomicBoolean();

    Snapshot(Memtable active, Optional<Memtable> frozen, List<IndexFile> files) {
        this.active = active;
        this.frozen = frozen;
        this.files = List.copyOf(files);
        for (IndexFile f : this.files) {
            f.retain();
        }
    }

    private static int cell() {
        return (int) (Thread.currentThread().threadId() & (CELLS - 1)) * PAD;
    }

    /**
     * Takes a reference unless the snapshot was retired (a newer one is current). The count goes
     * up before {@code retired} is read again: a retirement that this read misses comes after the
     * increment, so {@link #retire()}'s sum sees it.
     */
    boolean tryRetain() {
        if (retired) {
            return false;
        }
        int cell = cell();
        cells.getAndIncrement(cell);
        if (retired) {
            release(cell);
            return false;
        }
        return true;
    }

    /** Gives back a reference {@link #tryRetain()} took, on the same thread. */
    void release() {
        release(cell());
    }

    private void release(int cell) {
        cells.getAndDecrement(cell);
        if (retired) {
            freeIfUnused();
        }
    }

    /** Drops the index's own hold: the files go once no reader holds the snapshot. */
    void retire() {
        retired = true;
        freeIfUnused();
    }

    private void freeIfUnused() {
        long sum = 0;
        for (int i = 0; i < CELLS; i++) {
            sum += cells.get(i * PAD);
        }
        if (sum != 0 || !freed.compareAndSet(false, true)) {
            return;
        }
        for (IndexFile f : files) {
            try {
                f.release();
            } catch (IOException e) {
                // Closing or deleting an obsolete file failed. Nothing a reader could act on, and
                // no answer depends on it: the next open deletes every file the manifest does
                // not list.
            }
        }
    }

    long fileBytes() {
        long sum = 0;
        for (IndexFile f : files) {
            sum += f.sizeBytes();
        }
        return sum;
    }
}
