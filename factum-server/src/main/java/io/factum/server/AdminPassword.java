package io.factum.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the first administrator's password comes from: the environment variable {@value #ENV} or a
 * file named by {@code --admin-password-file}. There is deliberately no option taking the password
 * itself: a command line is visible to every local user ({@code ps}) and lands in shell histories.
 */
final class AdminPassword {

    static final String ENV = "FACTUM_ADMIN_PASSWORD";

    /** A password source was given but is unusable; the message says which and why. */
    static final class InvalidSourceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidSourceException(String message) {
            super(message);
        }
    }

    /** The password and, when its file is readable by others, a warning to print. */
    record Resolved(Optional<String> password, Optional<String> warning) {}

    private AdminPassword() {}

    static Resolved resolve(Map<String, String> env, Optional<Path> file) {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && file.isPresent()) {
            throw new InvalidSourceException("both " + ENV + " and --admin-password-file are set; give only one");
        }
        if (fromEnv != null) {
            if (fromEnv.isEmpty()) {
                throw new InvalidSourceException(ENV + " is set but empty");
            }
            return new Resolved(Optional.of(fromEnv), Optional.empty());
        }
        if (file.isEmpty()) {
            return new Resolved(Optional.empty(), Optional.empty());
        }
        return fromFile(file.get());
    }

    private static Resolved fromFile(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidSourceException(
                    "--admin-password-file " + file + ": cannot be read (" + e.getMessage() + ")");
        }
        // The first line, without its line break: editors and `echo` add one.
        String password = content.lines().findFirst().orElse("");
        if (password.isEmpty()) {
            throw new InvalidSourceException("--admin-password-file " + file + ": the first line is empty");
        }
        return new Resolved(Optional.of(password), worldReadable(file));
    }

    private static Optional<String> worldReadable(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)
                    || permissions.contains(PosixFilePermission.GROUP_READ)) {
                return Optional.of(
                        "--admin-password-file " + file + " is readable by other users; restrict it (chmod 600)");
            }
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing to check.
        }
        return Optional.empty();
    }
}
