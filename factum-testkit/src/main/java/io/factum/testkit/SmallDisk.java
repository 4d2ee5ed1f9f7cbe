package io.factum.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, small file system for full-disk tests: a child process runs in its own user and mount
 * namespace ({@code unshare -rm}, no privileges needed where the kernel allows unprivileged user
 * namespaces) with a size-limited tmpfs mounted at a directory, so its writes fail with the
 * kernel's own "No space left on device". Nothing outside the child sees the mount, and it goes
 * away with the child.
 *
 * <p>Where the machine does not permit it, {@link #requireAvailable()} skips the test with the
 * reason, except on CI ({@code CI=true}), where it fails: a full-disk test that silently never
 * runs protects nothing.
 */
public final class SmallDisk {

    private static final long PROBE_TIMEOUT_SECONDS = 30;

    private SmallDisk() {}

    /**
     * {@code command}, to be run with a {@code sizeBytes} tmpfs mounted at {@code mountPoint} (an
     * existing, empty directory). The child sees the mount; the caller does not.
     */
    public static List<String> wrap(Path mountPoint, long sizeBytes, List<String> command) {
        if (sizeBytes < 4096) {
            throw new IllegalArgumentException("sizeBytes " + sizeBytes + " is below one page (4096)");
        }
        List<String> wrapped = new ArrayList<>(List.of(
                "unshare",
                "-rm",
                "sh",
                "-c",
                // $0 is the mount point, "$@" the command: no quoting of paths inside the script.
                "mount -t tmpfs -o size=" + sizeBytes + " tmpfs \"$0\" && exec \"$@\"",
                mountPoint.toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Skips the calling test (fails it on CI) unless {@link #unavailableReason()} is empty. */
    public static void requireAvailable() {
        Optional<String> reason = unavailableReason();
        if (reason.isEmpty()) {
            return;
        }
        String message = "a full-disk test needs a size-limited tmpfs in a user and mount namespace ('unshare -rm'"
                + " then 'mount -t tmpfs'), which this machine does not permit: " + reason.get()
                + ". Allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1,"
                + " kernel.apparmor_restrict_unprivileged_userns=0) or run the tests in a VM or container that does.";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(message + " On CI this test must run, so it fails instead of skipping.");
        }
        Assumptions.abort(message);
    }

    /** Empty when a child may mount a small tmpfs; else what went wrong when it tried. */
    public static Optional<String> unavailableReason() {
        Path probe = null;
        try {
            probe = Files.createTempDirectory("factum-small-disk-probe");
            Process process = new ProcessBuilder(wrap(probe, 1 << 20, List.of("true")))
                    .redirectErrorStream(true)
                    .start();
            if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.of(
                        "'unshare -rm' with a tmpfs mount did not finish in " + PROBE_TIMEOUT_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return process.exitValue() == 0
                    ? Optional.empty()
                    : Optional.of("it exited with " + process.exitValue() + (output.isEmpty() ? "" : ": " + output));
        } catch (IOException e) {
            return Optional.of("cannot run unshare: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing");
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    // A leftover empty temporary directory is harmless.
                }
            }
        }
    }
}
