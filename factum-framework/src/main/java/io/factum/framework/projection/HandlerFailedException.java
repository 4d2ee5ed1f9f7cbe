package io.factum.framework.projection;

/**
 * The handler failed on the step at {@code index} of a commit; nothing of the commit was kept
 * (a transactional sink rolled it back; another sink applied the steps before it at most).
 */
public final class HandlerFailedException extends Exception {
    private final int index;

    public HandlerFailedException(int index, Throwable cause) {
        super("the handler failed on step " + index + ": " + cause, cause);
        this.index = index;
    }

    public int index() {
        return index;
    }
}
