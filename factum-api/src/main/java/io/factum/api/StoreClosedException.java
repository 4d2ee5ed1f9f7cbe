package io.factum.api;

/** The store was closed by its owner; no operation is accepted any more. */
public final class StoreClosedException extends FactumException {
    public StoreClosedException(String message) {
        super(message);
    }
}
