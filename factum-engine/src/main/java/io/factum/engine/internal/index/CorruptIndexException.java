package io.factum.engine.internal.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file of the stream index (an index file or the manifest) is damaged. The index is derived data,
 * so the remedy is a rebuild from the log: {@link StreamIndex#delete} then replay; the engine offers
 * it ({@code factum rebuild-index}). The index never answers from a damaged place.
 */
public final class CorruptIndexException extends IOException {
    private final Path file;
    private final long offset;

    public CorruptIndexException(Path file, long offset, String problem) {
        super("index file " + file + " is corrupt at byte offset " + offset + ": " + problem
                + " (the index is derived data: delete it and rebuild it from the log)");
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
