package io.factum.engine.internal.index;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a reader sees: the active memtable, the frozen one being flushed (if any), and the live
 * files, newest positions first. Immutable apart from the active memtable, which only grows.
 *
 * <p>Every transition (memtable rotation, flush, merge) publishes a new snapshot in which every
 * entry of the old one is still visible (in a memtable or a file), so a reader never misses an
 * entry that was added before it loaded the snapshot.
 *
 * <p>Reference counted: the index holds one reference while the snapshot is current and every
 * reader takes one for the duration of its read; files are released when the last one goes.
 */
final class Snapshot {
    final Memtable active;
    final Optional<Memtable> frozen;
    final List<IndexFile> files;
    private final AtomicInteger refs = new AtomicInteger(1);

    Snapshot(Memtable active, Optional<Memtable> frozen, List<IndexFile> files) {
        this.active = active;
        this.frozen = frozen;
        this.files = List.copyOf(files);
        for (IndexFile f : this.files) {
            f.retain();
        }
    }

    /** Takes a reference unless the snapshot was already released (a newer one is current). */
    boolean tryRetain() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
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
    }

    long fileBytes() {
        long sum = 0;
        for (IndexFile f : files) {
            sum += f.sizeBytes();
        }
        return sum;
    }
}
