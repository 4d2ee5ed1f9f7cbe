package io.factum.api.internal;

/**
 * A JSON text could not be parsed, or a value could not be written as JSON. The message says where
 * and what was expected: {@code "at offset 7: expected ',' or '}', found end of input"}.
 *
 * <p>Not a {@link io.factum.api.FactumException}: callers at the API boundary translate it into an
 * {@link io.factum.api.InvalidInputException} naming their own field.
 */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    JsonException(String message, int offset) {
        super(offset >= 0 ? "at offset " + offset + ": " + message : message);
        this.offset = offset;
    }

    /**
     * Where parsing failed: a {@code char} index into the text (for UTF-8 input, into the decoded
     * text, except for malformed UTF-8, where it is the byte index); {@code -1} for writer errors.
     */
    public int offset() {
        return offset;
    }
}
