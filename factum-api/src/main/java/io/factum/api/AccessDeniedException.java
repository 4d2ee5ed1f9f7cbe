package io.factum.api;

/** The caller may not perform this operation on this stream. */
public final class AccessDeniedException extends FactumException {
    public AccessDeniedException(String message) {
        super(message);
    }
}
