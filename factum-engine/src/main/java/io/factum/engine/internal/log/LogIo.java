package io.factum.engine.internal.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The log's only way to files and time, so tests can inject IO faults (a channel whose write or
 * force fails) and control when the periodic checkpoint falls due. Production uses {@link #SYSTEM}.
 */
@FunctionalInterface
interface LogIo {
    LogIo SYSTEM = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Monotonic time for the "checkpoint about once per second" rule. */
    default long nanoTime() {
        return System.nanoTime();
    }

    /**
     * Makes a directory entry durable (a created, renamed or deleted file in it). Without this a
     * crash can lose a whole freshly created segment even though its contents were fsynced.
     */
    default void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
