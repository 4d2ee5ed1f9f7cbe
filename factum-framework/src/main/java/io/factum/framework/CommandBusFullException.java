package io.factum.framework;

/**
 * The command bus holds as many commands as it was built to hold and none left in time: the
 * service is taking commands faster than it handles them. Nothing of the command was handled; the
 * caller may answer "busy" (HTTP 503) or try again later.
 */
public final class CommandBusFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CommandBusFullException(int maxPending, java.time.Duration waited) {
        super("the command bus holds its maximum of " + maxPending + " pending commands and none finished within "
                + waited + "; slow down, or build the bus with more concurrency or a longer wait");
    }
}
