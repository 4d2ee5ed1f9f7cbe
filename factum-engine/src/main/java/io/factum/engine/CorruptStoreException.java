package io.factum.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file of the store is damaged where data was acknowledged as durable. The store refuses to open
 * rather than drop acknowledged events silently; {@code factum verify} reports every damaged place.
 */
public final class CorruptStoreException extends IOException {
    private final Path file;
    private final long offset;

    public CorruptStoreException(Path file, long offset, String problem) {
        super(file + " is corrupt at byte offset " + offset + ": " + problem
                + " (run 'factum verify' for a full report; restore this file from a backup or replica)");
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
