package io.factum.engine.internal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks for a complete, valid frame after a damaged place, byte by byte. Recovery uses it
 * to tell a torn tail (nothing valid follows) from damage to acknowledged data (a valid later frame
 * proves the writer went on after the damaged frame, so that frame was once complete). Verify uses
 * it to resynchronise after damage. {@link #findValidFrame} searches to the end of the file (for
 * sealed segments, which end at their data); {@link #searchTail} stops after {@link
 * #ZERO_GAP_BYTES} of zeros, for the last segment, whose file is preallocated with zeros far beyond
 * its data (every open meets the zeros after the data end, so that search must be cheap).
 */
final class FrameSearch {
    private static final int WINDOW_BYTES = 1 << 20;

    /**
     * The tail search stops once this many consecutive zero bytes follow the last non-zero byte
     * seen. Why this is sound: frames are written back to back and sequentially, so past the durable
     * data end a crash can leave only the preallocated zeros and whatever pages of the last,
     * unacknowledged writes reached the disk (a contiguous region written after the last fsync). A
     * valid later frame beyond a 1 MiB run of zeros would need that run inside acknowledged data:
     * an event with a megabyte of zero bytes, or a megabyte of acknowledged data read back as zeros;
     * only frames after the checkpoint (about a second of writes) are exposed to that, the same
     * window as the "damaged last frame looks torn" limitation. 1 MiB costs about a millisecond of
     * reading at every open.
     */
    static final int ZERO_GAP_BYTES = 1 << 20;

    /** A valid frame found by the search. */
    record Found(long offset, long firstPosition, long lastPosition) {}

    /**
     * What {@link #searchTail} found: a valid frame, or none and where the non-zero bytes end.
     *
     * @param found the first valid frame, when there is one
     * @param nonZeroEnd offset just past the last non-zero byte seen before the search stopped
     *     ({@code from} when every byte looked at was zero)
     */
    record Tail(Optional<Found> found, long nonZeroEnd) {}

    /**
     * Like {@link #findValidFrame}, but stops after {@link #ZERO_GAP_BYTES} zeros that follow the
     * last non-zero byte (or {@code from}), and reports where the non-zero bytes end.
     */
    static Tail searchTail(Path file, FileChannel channel, long from, long size, long minPosition) throws IOException {
        return searchTail(file, channel, from, from, size, minPosition);
    }

    /**
     * As {@link #searchTail(Path, FileChannel, long, long, long)}, counting non-zero bytes from
     * {@code from} but considering frames only at {@code frameFrom} or later (to resynchronise past
     * a frame that is itself valid but out of place).
     */
    static Tail searchTail(Path file, FileChannel channel, long from, long frameFrom, long size, long minPosition)
            throws IOException {
        long base = from;
        long nonZeroEnd = from;
        while (size - base >= 1) {
            ByteBuffer window = LogFiles.readUpTo(channel, base, (int) Math.min(WINDOW_BYTES, size - base));
            int n = window.limit();
            for (int i = 0; i < n; i++) {
                byte b = window.get(i);
                if (b == 0) {
                    if (base + i - nonZeroEnd >= ZERO_GAP_BYTES) {
                        return new Tail(Optional.empty(), nonZeroEnd);
                    }
                    continue;
                }
                nonZeroEnd = base + i + 1;
                if (b == (byte) (LogFormat.FRAME_MAGIC >>> 24)
                        && base + i >= frameFrom
                        && i + 4 <= n
                        && window.getInt(i) == LogFormat.FRAME_MAGIC) {
                    Optional<Found> found = frameAt(file, channel, base + i, size, minPosition);
                    if (found.isPresent()) {
                        return new Tail(found, nonZeroEnd);
                    }
                }
            }
            if (base + n >= size || n < 4) {
                break;
            }
            // Overlap by three bytes so a magic that straddles two windows is still seen.
            base += n - 3;
        }
        return new Tail(Optional.empty(), nonZeroEnd);
    }

    private FrameSearch() {}

    /**
     * The first offset {@code >= from} where a whole frame passes every check (magic, length within
     * the file, CRC32C, record structure) and its first position is at least {@code minPosition}.
     */
    static Optional<Found> findValidFrame(Path file, FileChannel channel, long from, long size, long minPosition)
            throws IOException {
        long base = from;
        while (size - base >= LogFormat.FRAME_PREFIX_BYTES) {
            ByteBuffer window = LogFiles.readUpTo(channel, base, (int) Math.min(WINDOW_BYTES, size - base));
            int n = window.limit();
            for (int i = 0; i + 4 <= n; i++) {
                if (window.get(i) == (byte) (LogFormat.FRAME_MAGIC >>> 24)
                        && window.getInt(i) == LogFormat.FRAME_MAGIC) {
                    Optional<Found> found = frameAt(file, channel, base + i, size, minPosition);
                    if (found.isPresent()) {
                        return found;
                    }
                }
            }
            if (base + n >= size) {
                break;
            }
            // Overlap by three bytes so a magic that straddles two windows is still seen.
            base += n - 3;
        }
        return Optional.empty();
    }

    private static Optional<Found> frameAt(Path file, FileChannel channel, long offset, long size, long minPosition)
            throws IOException {
        FrameCursor cursor = new FrameCursor(file, channel::read, offset, size, Segment.READ_CHUNK_BYTES);
        if (cursor.next(FrameCursor.Mode.CHECKED) == FrameCursor.Status.FRAME
                && cursor.firstPosition() >= minPosition) {
            return Optional.of(new Found(offset, cursor.firstPosition(), cursor.lastPosition()));
        }
        return Optional.empty();
    }
}
