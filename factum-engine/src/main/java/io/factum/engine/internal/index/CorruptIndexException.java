package io.factum.engine.internal.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file of the stream index (an index file, the manifest, or the rebuild marker) is damaged. The
 * index is derived data, so the remedy is a rebuild from the log: {@link StreamIndex#delete} then
 * replay. The engine does it at open when {@link StreamIndex#open} throws this; when a read meets
 * the damage while the store runs, the index first marks itself for that rebuild, and the message
 * says so. The index never answers from a damaged place.
 */
public final class CorruptIndexException extends IOException {
    /** The advice that ends the message of damage found at open or by verify. */
    static final String REBUILD_ADVICE = " (the index is derived data: delete it and rebuild it from the log)";

    private final Path file;
    private final long offset;
    private final String problem;

    public CorruptIndexException(Path file, long offset, String problem) {
        this(file, offset, problem, REBUILD_ADVICE, null);
    }

    private CorruptIndexException(Path file, long offset, String problem, String advice, Throwable cause) {
        super("index file " + file + " is corrupt at byte offset " + offset + ": " + problem + advice, cause);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    /**
     * Damage a read met while the store runs, after the index durably marked itself for a rebuild:
     * the same file, offset and problem, with advice that says what happens next.
     */
    static CorruptIndexException markedForRebuild(CorruptIndexException found, Path marker) {
        return new CorruptIndexException(
                found.file,
                found.offset,
                found.problem,
                " (the stream index is damaged; it is marked for rebuild (" + marker
                        + ") and the next open of the store rebuilds it from the log, which holds every"
                        + " event: restart the store)",
                found);
    }

    /** Damage a read met while the store runs, when writing the rebuild marker failed too. */
    static CorruptIndexException markingFailed(CorruptIndexException found, IOException markError) {
        CorruptIndexException e = new CorruptIndexException(
                found.file,
                found.offset,
                found.problem,
                " (the stream index is damaged, and marking it for rebuild failed: " + markError
                        + "; close the store and rebuild the index from the log with rebuild-index)",
                found);
        e.addSuppressed(markError);
        return e;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    /** What is wrong at the offset, without the file, the offset and the advice. */
    public String problem() {
        return problem;
    }
}
