package io.factum.framework.migration;

/** A migration cannot go on; the message says why and what to do. What it wrote stays valid. */
public final class MigrationException extends RuntimeException {
    public MigrationException(String message) {
        super(message);
    }

    public MigrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
