package io.factum.engine.internal.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.DataDirectoryLockedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void secondAcquireInTheSameJvmFailsUntilTheFirstIsClosed() throws IOException {
        Path data = dir.resolve("data");
        DirectoryLock first = DirectoryLock.acquire(data);
        assertThat(data.resolve("LOCK")).exists();
        assertThatThrownBy(() -> DirectoryLock.acquire(data))
                .isInstanceOf(DataDirectoryLockedException.class)
                .hasMessageContaining(data.toString());
        assertThatThrownBy(() ->
                        DirectoryLock.acquire(data.resolve(".").resolve("..").resolve("data")))
                .isInstanceOf(DataDirectoryLockedException.class);
        first.close();
        first.close();
        try (DirectoryLock again = DirectoryLock.acquire(data)) {
            assertThat(again.dataDir()).isEqualTo(data);
        }
    }

    @Test
    void anotherProcessCannotLockWhileHeldAndAFailedAttemptHereDoesNotDropTheLock() throws Exception {
        Path data = dir.resolve("data");
        try (DirectoryLock held = DirectoryLock.acquire(data)) {
            assertThatThrownBy(() -> DirectoryLock.acquire(data)).isInstanceOf(DataDirectoryLockedException.class);
            assertThat(probeInAnotherProcess(held.dataDir())).isEqualTo(LockProbe.LOCKED);
        }
        assertThat(probeInAnotherProcess(data)).isEqualTo(LockProbe.ACQUIRED);
    }

    private static int probeInAnotherProcess(Path data) throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        LockProbe.class.getName(),
                        data.toString())
                .inheritIO()
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}
