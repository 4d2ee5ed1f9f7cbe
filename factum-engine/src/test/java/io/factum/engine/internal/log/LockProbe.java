package io.factum.engine.internal.log;

import io.factum.engine.DataDirectoryLockedException;
import java.nio.file.Path;

/** Run in a child JVM by {@link DirectoryLockTest}: tries to lock the directory and exits with the outcome. */
final class LockProbe {
    static final int ACQUIRED = 0;
    static final int LOCKED = 3;

    private LockProbe() {}

    @SuppressWarnings("try") // the lock only needs to be held for the duration of the block
    public static void main(String[] args) throws Exception {
        try (DirectoryLock lock = DirectoryLock.acquire(Path.of(args[0]))) {
            System.exit(ACQUIRED);
        } catch (DataDirectoryLockedException e) {
            System.exit(LOCKED);
        }
    }
}
