package io.factum.engine;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine's only way to the file system: the log, both indexes, their manifests, checkpoints and
 * the directory lock all go through one instance, the one in {@link EngineOptions#fileIo()}. Tests
 * pass a simulated disk that injects faults or loses everything not yet fsynced; production uses
 * {@link #system()}.
 *
 * <h2>Durability contract</h2>
 *
 * The engine assumes only what POSIX promises, and an implementation used for power-loss tests
 * must not promise more: bytes written through a channel are durable once {@link
 * FileChannel#force(boolean)} on that file has returned; a file's size change is durable with the
 * {@code force(true)} after it (the engine uses {@code force(false)} only on preallocated files
 * whose size does not change); a created, renamed or deleted directory entry is durable once
 * {@link #fsyncDirectory} on its parent directory has returned. {@link #move} is atomic: after a
 * crash the target names either the old or the new file, never a mix.
 *
 * <p>Implementations are thread-safe; channels they return follow {@link FileChannel}'s rules
 * (positional reads and writes are thread-safe).
 */
public interface FileIo {
    /** The real file system through {@code java.nio}. */
    static FileIo system() {
        return NioFileIo.INSTANCE;
    }

    /** Opens a file (or a directory, {@code READ} only, to fsync it) as {@link FileChannel#open}. */
    FileChannel open(Path path, OpenOption... options) throws IOException;

    /** Whether anything (file or directory) exists at path. */
    boolean exists(Path path);

    /** Whether path is an existing directory. */
    boolean isDirectory(Path path);

    /** The size in bytes of the file at path. */
    long size(Path path) throws IOException;

    /** Creates dir and its missing parents, as {@code Files.createDirectories}; no fsync. */
    void createDirectories(Path dir) throws IOException;

    /**
     * Creates dir and its missing parents, each durably: the parent of every directory created is
     * fsynced, so a power loss cannot take away a directory (and the fsynced files in it) once this
     * returned. Does nothing when dir exists.
     */
    default void createDirectoriesDurably(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectoriesDurably(parent);
        }
        createDirectories(absolute);
        if (parent != null) {
            fsyncDirectory(parent);
        }
    }

    /**
     * Renames source to target atomically, replacing target when it exists; durable only after
     * {@link #fsyncDirectory} of the directory.
     */
    void move(Path source, Path target) throws IOException;

    /** Deletes the file (or empty directory) at path; false when there was none. No fsync. */
    boolean deleteIfExists(Path path) throws IOException;

    /** The entries of dir, sorted by name. */
    List<Path> list(Path dir) throws IOException;

    /**
     * Makes the directory entries in dir durable (files created, renamed or deleted in it): without
     * this a crash can lose a whole file whose contents were fsynced.
     */
    void fsyncDirectory(Path dir) throws IOException;

    /**
     * The canonical path of an existing directory, as {@code Path.toRealPath()}: two paths to the
     * same directory give the same answer (the directory lock keys on it).
     */
    Path realPath(Path path) throws IOException;
}
