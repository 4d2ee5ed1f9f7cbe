package io.factum.cli;

import io.factum.api.FactumException;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreFailedException;
import io.factum.engine.CorruptStoreException;
import io.factum.engine.DataDirectoryLockedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Turns any failure into exactly one line on standard error, {@code factum: <message>}, and an exit
 * code. Stack traces only with {@code --debug}: people need the message, developers the trace.
 */
final class Failures {

    private Failures() {}

    /** Reports {@code failure} and returns the exit code for it. */
    static int report(Throwable failure, boolean debug, PrintWriter err) {
        Throwable cause = unwrap(failure);
        err.println("factum: " + oneLine(message(cause)));
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
        return exitCode(cause);
    }

    static int exitCode(Throwable failure) {
        return switch (failure) {
            case CliException e -> e.exitCode();
            case InvalidInputException e -> ExitCodes.USAGE;
            default -> ExitCodes.FAILED;
        };
    }

    static String message(Throwable failure) {
        return switch (failure) {
            case CliException e -> text(e);
            case StoreFailedException e ->
                e.getCause() == null ? text(e) : text(e) + " (cause: " + cause(e.getCause()) + ")";
            // The contract's messages already name the stream, the expectation and the actual version.
            case FactumException e -> text(e);
            case DataDirectoryLockedException e -> text(e);
            case CorruptStoreException e -> text(e);
            case NoSuchFileException e -> "no such file or directory: " + e.getFile();
            case AccessDeniedException e -> "permission denied: " + e.getFile();
            case FileSystemException e -> "file system error: " + text(e);
            case IOException e -> "I/O error: " + text(e);
            default -> "internal error: " + failure + " (run again with --debug for the stack trace)";
        };
    }

    /**
     * What caused a store failure: the deepest I/O error in the chain when there is one (a refused
     * connection under the remote client's gRPC status), else the cause itself, which is no CLI bug
     * even when the CLI does not know its type.
     */
    private static String cause(Throwable cause) {
        IOException io = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException e) {
                io = e;
            }
        }
        if (io != null) {
            return message(io);
        }
        return cause instanceof FactumException ? message(cause) : text(cause);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while (current instanceof UncheckedIOException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static String text(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
