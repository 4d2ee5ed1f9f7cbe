package io.factum.engine.internal.log;

import java.util.Arrays;

/**
 * The in-memory position → file offset index of one segment: one entry (first position of a frame,
 * offset of that frame) for the segment's first frame and then for the first frame that starts at
 * least {@link LogFormat#INDEX_INTERVAL_BYTES} after the previous entry.
 *
 * <p>Thread-safety: one writer ({@link #addIfDue}), any number of readers. Entries below a published
 * size are never modified, and the writer publishes a new {@link View} through a volatile field
 * after writing the arrays, so a reader's view is immutable in effect. An entry may be published
 * before its frame is durable: a reader only looks up positions at or below the durable position,
 * and the floor entry of such a position never lies beyond it.
 */
final class SparseIndex {

    /** An immutable-in-effect snapshot: entries {@code [0, size)} of the two arrays. */
    record View(long[] positions, long[] offsets, int size) {

        /** Index of the last entry whose position is {@code <= position}, or -1. */
        int floor(long position) {
            int low = 0;
            int high = size - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (positions[mid] <= position) {
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return high;
        }

        long position(int i) {
            return positions[i];
        }

        long offset(int i) {
            return offsets[i];
        }

        boolean sameEntries(View other) {
            return size == other.size
                    && Arrays.equals(positions, 0, size, other.positions, 0, size)
                    && Arrays.equals(offsets, 0, size, other.offsets, 0, size);
        }
    }

    private volatile View view = new View(new long[16], new long[16], 0);

    View view() {
        return view;
    }

    int size() {
        return view.size();
    }

    /** Writer only: adds an entry for the frame at {@code offset} when the interval rule asks for one. */
    void addIfDue(long firstPosition, long offset) {
        View current = view;
        int size = current.size();
        if (size > 0 && offset - current.offsets()[size - 1] < LogFormat.INDEX_INTERVAL_BYTES) {
            return;
        }
        add(firstPosition, offset);
    }

    /** Writer only: appends an entry unconditionally (used when loading a sidecar). */
    void add(long firstPosition, long offset) {
        View current = view;
        int size = current.size();
        long[] positions = current.positions();
        long[] offsets = current.offsets();
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
        }
        positions[size] = firstPosition;
        offsets[size] = offset;
        view = new View(positions, offsets, size + 1);
    }
}
