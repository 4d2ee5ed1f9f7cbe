package io.factum.cli;

/** The exit codes of {@code factum}, as documented in its help. */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;
    /** An operation failed: a conflict, a missing stream, a damaged or locked store, an I/O error. */
    static final int FAILED = 1;
    /** The command line or the input was malformed; nothing was changed. */
    static final int USAGE = 2;

    private ExitCodes() {}
}
