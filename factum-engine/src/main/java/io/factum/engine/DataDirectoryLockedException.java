package io.factum.engine;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (or another store in this process) has the data directory open. */
public final class DataDirectoryLockedException extends IOException {
    private final Path dataDir;

    public DataDirectoryLockedException(Path dataDir) {
        super("data directory " + dataDir + " is in use by another Factum process (lock file " + dataDir.resolve("LOCK")
                + " is held); stop that process or choose another --data directory");
        this.dataDir = dataDir;
    }

    public Path dataDir() {
        return dataDir;
    }
}
