package io.factum.engine.internal.log;

import io.factum.engine.DataDirectoryLockedException;
import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * One process, one open store per data directory: an exclusive OS lock on {@code <dataDir>/LOCK},
 * held until {@link #close()}. The file stays (deleting it would race with a second process that
 * already opened it); it holds the owner's process id for people reading it.
 *
 * <p>Within one JVM the lock is also tracked in a static set, and a second acquire fails before it
 * opens the file: on Linux a POSIX record lock belongs to the process, and closing <em>any</em>
 * descriptor of the file releases it, so opening and closing the LOCK file again from the same JVM
 * would silently drop the first store's lock. Thread-safe.
 */
public final class DirectoryLock implements Closeable {
    static final String LOCK_FILE = "LOCK";

    private static final Set<Path> HELD_IN_THIS_JVM = new HashSet<>();

    private final Path dataDir;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private DirectoryLock(Path dataDir, Path key, FileChannel channel, FileLock lock) {
        this.dataDir = dataDir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dataDir} (created when missing).
     *
     * @throws DataDirectoryLockedException when another process or another open store in this JVM
     *     holds it
     */
    public static DirectoryLock acquire(Path dataDir) throws IOException {
        return acquire(dataDir, FileIo.system());
    }

    /** As {@link #acquire(Path)}, with every file access through io. */
    public static DirectoryLock acquire(Path dataDir, FileIo io) throws IOException {
        io.createDirectoriesDurably(dataDir);
        return acquire(dataDir, io, true);
    }

    /**
     * Locks {@code dataDir} exactly like {@link #acquire}, for a reader that must leave every file as
     * it found it ({@code verify}): the directory must already exist, and the LOCK file keeps its
     * contents (the process id of the last store that opened it) and its modification time. Only
     * when there is no LOCK file at all is an empty one created, because a lock needs a file.
     *
     * @throws java.nio.file.NoSuchFileException when {@code dataDir} does not exist
     * @throws DataDirectoryLockedException when another process or another open store in this JVM
     *     holds it
     */
    public static DirectoryLock acquireReadOnly(Path dataDir) throws IOException {
        return acquireReadOnly(dataDir, FileIo.system());
    }

    /** As {@link #acquireReadOnly(Path)}, with every file access through io. */
    public static DirectoryLock acquireReadOnly(Path dataDir, FileIo io) throws IOException {
        return acquire(dataDir, io, false);
    }

    private static DirectoryLock acquire(Path dataDir, FileIo io, boolean writeOwner) throws IOException {
        Path key = io.realPath(dataDir);
        synchronized (HELD_IN_THIS_JVM) {
            if (!HELD_IN_THIS_JVM.add(key)) {
                throw new DataDirectoryLockedException(dataDir);
            }
        }
        try {
            return lock(dataDir, io, key, writeOwner);
        } catch (IOException | RuntimeException e) {
            synchronized (HELD_IN_THIS_JVM) {
                HELD_IN_THIS_JVM.remove(key);
            }
            throw e;
        }
    }

    private static DirectoryLock lock(Path dataDir, FileIo io, Path key, boolean writeOwner) throws IOException {
        // WRITE is needed for an exclusive lock even when nothing is written; opening for writing
        // changes neither the contents nor the modification time.
        FileChannel channel = io.open(
                key.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new DataDirectoryLockedException(dataDir);
            }
            if (writeOwner) {
                channel.truncate(0);
                channel.write(
                        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            }
            return new DirectoryLock(dataDir, key, channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new DataDirectoryLockedException(dataDir);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Releases the lock; idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            lock.release();
        } finally {
            channel.close();
            synchronized (HELD_IN_THIS_JVM) {
                HELD_IN_THIS_JVM.remove(key);
            }
        }
    }
}
