package io.factum.framework;

/**
 * A command lost the race against concurrent writes to its consistency boundary (its stream, or
 * the events its query selects) on every attempt its {@link RetryPolicy} allowed. Nothing of it was written; the caller may send it again later (with the
 * same command id, so that it is stored at most once).
 */
public final class RetriesExhaustedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String stream;
    private final int attempts;

    public RetriesExhaustedException(String stream, int attempts, RuntimeException last) {
        super(
                "command on stream '" + stream + "' was decided " + attempts
                        + " times and every append met a concurrent write (last: " + last.getMessage()
                        + "); nothing was written: send it again later, or allow more attempts in its RetryPolicy",
                last);
        this.stream = stream;
        this.attempts = attempts;
    }

    public String stream() {
        return stream;
    }

    public int attempts() {
        return attempts;
    }
}
