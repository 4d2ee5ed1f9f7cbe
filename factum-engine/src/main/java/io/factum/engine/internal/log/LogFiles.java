package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Small file operations every part of the log shares. Stateless. */
final class LogFiles {
    private LogFiles() {}

    /** Writes all of {@code src} at {@code offset} (a channel may write less than asked per call). */
    static void writeFully(FileChannel channel, ByteBuffer src, long offset) throws IOException {
        long at = offset;
        while (src.hasRemaining()) {
            at += channel.write(src, at);
        }
    }

    /** Zeros written per call: large writes make zero-filling a segment cost little CPU. */
    static final int ZERO_CHUNK_BYTES = 1 << 20;

    /**
     * Writes real zero bytes over {@code [from, to)} (not a hole: writing into a hole later still
     * allocates extents, which is what preallocation avoids). Not forced.
     */
    static void writeZeros(FileChannel channel, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK_BYTES, Math.max(1, to - from)));
        long at = from;
        while (at < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - at));
            writeFully(channel, zeros, at);
            at += zeros.limit();
        }
    }

    /** Reads {@code [offset, offset + length)} or less when the file ends first. */
    static ByteBuffer readUpTo(FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
                break;
            }
        }
        return buf.flip();
    }

    /**
     * Replaces {@code target} atomically with {@code contents}: write a temporary file, fsync it,
     * rename it over the target, and (when asked) fsync the directory so the rename itself is
     * durable. A crash leaves either the old or the new file, never a torn one.
     */
    static void writeAtomically(FileIo io, Path target, ByteBuffer contents, boolean fsyncDirectory)
            throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + LogFormat.TMP_SUFFIX);
        try (FileChannel channel = io.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(channel, contents, 0);
            channel.force(true);
        }
        io.move(tmp, target);
        if (fsyncDirectory) {
            io.fsyncDirectory(target.getParent());
        }
    }

    /** The whole of a small file (a sidecar or the checkpoint). */
    static ByteBuffer readSmallFile(FileIo io, Path file) throws IOException {
        try (FileChannel channel = io.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " is " + size + " bytes, too large for a log metadata file");
            }
            return readUpTo(channel, 0, (int) size);
        }
    }
}
