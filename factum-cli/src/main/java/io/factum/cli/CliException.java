package io.factum.cli;

/**
 * A failure the CLI reports as exactly one line on standard error, with the exit code it chose:
 * {@link ExitCodes#USAGE} for bad input, {@link ExitCodes#FAILED} for an operation that failed.
 */
final class CliException extends RuntimeException {
    private final int exitCode;

    private CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The command line or its input was wrong; nothing was changed. */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    /** The operation was understood but failed (not found, damaged store, ...). */
    static CliException failed(String message) {
        return new CliException(ExitCodes.FAILED, message);
    }

    int exitCode() {
        return exitCode;
    }
}
