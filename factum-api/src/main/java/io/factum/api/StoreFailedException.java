package io.factum.api;

/**
 * The store stopped after an unrecoverable error (an IO error while writing or syncing, detected
 * corruption). Every later operation fails with the first error as the cause: after a failed fsync
 * the state of the disk is unknown, so the store never retries and carries on.
 */
public final class StoreFailedException extends FactumException {
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreFailedException(String message) {
        super(message);
    }
}
