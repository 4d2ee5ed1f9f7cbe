package io.factum.cli;

import io.factum.api.InvalidInputException;
import io.factum.engine.FailureReport;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * Turns any failure into exactly one line on standard error, {@code factum: <message>}, and an exit
 * code. Stack traces only with {@code --debug}: people need the message, developers the trace. A
 * failure no rule expects is a bug, reported with its trace (see {@link FailureReport}).
 */
final class Failures {

    private Failures() {}

    /** Reports {@code failure} and returns the exit code for it. */
    static int report(Throwable failure, boolean debug, PrintWriter err) {
        FailureReport.print(failure, message(failure), debug, err);
        return exitCode(FailureReport.unwrap(failure));
    }

    static int exitCode(Throwable failure) {
        return switch (failure) {
            case CliException e -> e.exitCode();
            case InvalidInputException e -> ExitCodes.USAGE;
            default -> ExitCodes.FAILED;
        };
    }

    /** The one line for an expected failure; empty for a bug. */
    static Optional<String> message(Throwable failure) {
        Throwable cause = FailureReport.unwrap(failure);
        if (cause instanceof CliException e) {
            return Optional.of(e.getMessage() == null ? "failed" : e.getMessage());
        }
        return FailureReport.expectedMessage(cause);
    }
}
