package io.factum.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * This machine's own limits on the data directory's file system, measured the same way in every
 * run so that each scenario's figure can be read as a fraction (or multiple) of what the disk can
 * do:
 *
 * <ul>
 *   <li>fsync rate: one thread writes 200 bytes at the end of a file and calls {@code
 *       FileChannel.force(false)}, repeatedly, for a fixed time. The file grows, as a log does,
 *       so each sync also makes the new length durable.
 *   <li>sequential write bandwidth: 1 MiB buffers written to a new file until it holds the given
 *       size, then one {@code force(false)}; the time includes the force.
 * </ul>
 *
 * @param fsyncOpsPerSec write+force pairs per second
 * @param fsyncLatency latency of one write+force pair
 * @param fsyncDuration how long the fsync loop ran
 * @param writeMBps sequential write bandwidth, MB (10^6 bytes) per second
 * @param writeBytes bytes written for the bandwidth figure
 */
record Ceilings(
        double fsyncOpsPerSec, Latency fsyncLatency, Duration fsyncDuration, double writeMBps, long writeBytes) {

    static final int FSYNC_WRITE_BYTES = 200;
    static final int WRITE_BUFFER_BYTES = 1 << 20;

    /** The fsync-rate part: write+force pairs on one thread for {@code duration}. */
    record FsyncRate(double opsPerSec, Latency latency, Duration duration) {}

    static Ceilings of(FsyncRate fsync, double writeMBps, long writeBytes) {
        return new Ceilings(fsync.opsPerSec(), fsync.latency(), fsync.duration(), writeMBps, writeBytes);
    }

    /**
     * Measures the fsync rate in {@code dir}, deleting its file afterwards.
     *
     * @param progress set to the number of write+force pairs done so far
     */
    static FsyncRate measureFsync(Path dir, Duration duration, AtomicLong progress) throws IOException {
        Path file = dir.resolve("ceiling-fsync.tmp");
        try {
            Histogram nanos = new Histogram(Latency.SIGNIFICANT_DIGITS);
            long start = System.nanoTime();
            long ops = fsyncLoop(file, duration, nanos, progress);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new FsyncRate(ops / seconds, Latency.of(nanos), duration);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Measures sequential write bandwidth in {@code dir} (MB/s), deleting its file afterwards.
     *
     * @param progress set to the bytes written so far
     */
    static double measureWriteMBps(Path dir, long bytes, AtomicLong progress) throws IOException {
        Path file = dir.resolve("ceiling-write.tmp");
        try {
            return bytes / 1e6 / sequentialWrite(file, bytes, progress);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long fsyncLoop(Path file, Duration duration, Histogram nanos, AtomicLong progress)
            throws IOException {
        ByteBuffer record = ByteBuffer.allocateDirect(FSYNC_WRITE_BYTES);
        long ops = 0;
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long end = System.nanoTime() + duration.toNanos();
            long position = 0;
            do {
                long t0 = System.nanoTime();
                record.clear();
                while (record.hasRemaining()) {
                    position += ch.write(record, position);
                }
                ch.force(false);
                nanos.recordValue(System.nanoTime() - t0);
                progress.set(++ops);
            } while (System.nanoTime() < end);
        }
        return ops;
    }

    private static double sequentialWrite(Path file, long bytes, AtomicLong progress) throws IOException {
        // Random content, so that a compressing or deduplicating file system cannot shrink the work.
        byte[] content = new byte[WRITE_BUFFER_BYTES];
        new SplittableRandom(42).nextBytes(content);
        ByteBuffer buffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
        buffer.put(content);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long start = System.nanoTime();
            long written = 0;
            while (written < bytes) {
                buffer.clear();
                buffer.limit((int) Math.min(WRITE_BUFFER_BYTES, bytes - written));
                while (buffer.hasRemaining()) {
                    written += ch.write(buffer);
                }
                progress.set(written);
            }
            ch.force(false);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The lines printed under "ceilings" in every result. */
    List<String> describe() {
        return List.of(
                String.format(
                        java.util.Locale.ROOT,
                        "fsync rate        %s (%d-byte write + force(false), 1 thread, %s; %s)",
                        Figure.format(fsyncOpsPerSec, "ops/s"),
                        FSYNC_WRITE_BYTES,
                        Units.formatDuration(fsyncDuration),
                        fsyncLatency.brief()),
                String.format(
                        java.util.Locale.ROOT,
                        "sequential write  %s (1 MiB writes to a %s file, force at the end)",
                        Figure.format(writeMBps, "MB/s"),
                        Units.formatSize(writeBytes)));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fsyncOpsPerSec", fsyncOpsPerSec);
        m.put("fsyncP50Ms", fsyncLatency.p50Ms());
        m.put("fsyncP99Ms", fsyncLatency.p99Ms());
        m.put("fsyncSeconds", fsyncDuration.toMillis() / 1000.0);
        m.put("writeMBps", writeMBps);
        m.put("writeBytes", writeBytes);
        return m;
    }
}
