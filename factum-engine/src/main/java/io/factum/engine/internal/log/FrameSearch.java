package io.factum.engine.internal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks for a complete, valid frame anywhere after a damaged place, byte by byte. Recovery uses it
 * to tell a torn tail (nothing valid follows) from damage to acknowledged data (a valid later frame
 * proves the writer went on after the damaged frame, so that frame was once complete). Verify uses
 * it to resynchronise after damage. Only runs on the damaged path, so a linear byte scan is fine.
 */
final class FrameSearch {
    private static final int WINDOW_BYTES = 1 << 20;

    /** A valid frame found by the search. */
    record Found(long offset, long firstPosition, long lastPosition) {}

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
