package io.factum.engine;

import io.factum.api.FactumException;
import io.factum.api.StoreFailedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * How the programs built on the engine (the {@code factum} verbs, {@code factum server}, {@code
 * factum bench}) report a failure: an expected one (a locked or damaged data directory, a full
 * disk, a refused append, any {@link FactumException} or IO error) as exactly one line, {@code
 * factum: <message>}, whose message already says what to do; the stack trace only with {@code
 * --debug}. Anything else is a bug: the line says so and the stack trace follows, always.
 *
 * <p>It lives in the engine because the engine is the one module all three programs share, and
 * the engine's own exceptions ({@link DataDirectoryLockedException}, {@link CorruptStoreException})
 * carry the hints. Stateless; thread-safe.
 */
public final class FailureReport {

    private FailureReport() {}

    /**
     * The one-line message for a failure a user can act on, or empty when the failure is a bug
     * (a {@code NullPointerException}, an {@code IllegalStateException}, ...).
     */
    public static Optional<String> expectedMessage(Throwable failure) {
        Throwable cause = unwrap(failure);
        return Optional.ofNullable(
                switch (cause) {
                    case StoreFailedException e ->
                        e.getCause() == null || text(e).contains(text(e.getCause()))
                                ? text(e)
                                : text(e) + " (cause: " + cause(e.getCause()) + ")";
                    // The contract's messages already name the stream, the expectation and the actual.
                    case FactumException e -> text(e);
                    // Both name the directory or file, and what to do.
                    case DataDirectoryLockedException e -> text(e);
                    case CorruptStoreException e -> text(e);
                    case NoSuchFileException e -> "no such file or directory: " + e.getFile();
                    case AccessDeniedException e -> "permission denied: " + e.getFile();
                    case FileAlreadyExistsException e -> "file already exists: " + e.getFile();
                    case NotDirectoryException e -> "not a directory: " + e.getFile();
                    case FileSystemException e -> "file system error: " + text(e);
                    case IOException e -> "I/O error: " + text(e);
                    default -> null;
                });
    }

    /**
     * Prints {@code factum: <message>} on {@code err}; the stack trace too when {@code debug} or
     * when the failure is unexpected (then the line says it is an internal error).
     *
     * @param message what {@link #expectedMessage} (or the program's own classification) said;
     *     empty for a bug
     */
    public static void print(Throwable failure, Optional<String> message, boolean debug, PrintWriter err) {
        if (message.isPresent()) {
            err.println("factum: " + oneLine(message.get()));
        } else {
            err.println("factum: internal error: " + oneLine(String.valueOf(unwrap(failure)))
                    + " (a bug in Factum; please report it with the stack trace below)");
        }
        if (debug || message.isEmpty()) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    /** The failure behind the wrappers that only carry it across threads or checked boundaries. */
    public static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof UncheckedIOException
                        || current instanceof CompletionException
                        || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /**
     * What caused a store failure: the deepest I/O error in the chain when there is one (a refused
     * connection under the remote client's gRPC status), else the cause's own message.
     */
    private static String cause(Throwable cause) {
        IOException io = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException e) {
                io = e;
            }
        }
        Throwable shown = io != null ? io : cause;
        return expectedMessage(shown).orElseGet(() -> text(shown));
    }

    /** Joins a message's lines: one failure, one line. */
    public static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static String text(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}
