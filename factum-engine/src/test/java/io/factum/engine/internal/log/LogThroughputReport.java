package io.factum.engine.internal.log;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints figures for a quick local look; asserts nothing about speed. Tagged "long": run with
 * {@code -Dfactum.test.excludedGroups=none -Dtest=LogThroughputReport}, and scale with {@code
 * -Dfactum.bench.records=10000000} (about 3.3 GB of log).
 */
@Tag("long")
class LogThroughputReport {
    private static final int BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void printThroughput() throws IOException {
        long records = Long.getLong("factum.bench.records", 1_000_000L);
        SegmentedLog.Options options = new SegmentedLog.Options(256L << 20, true);
        byte[] data = ("{\"orderId\":\"" + "x".repeat(160) + "\",\"amount\":12345}").getBytes(StandardCharsets.UTF_8);
        byte[] metadata = "{\"$correlationId\":\"c-1\"}".getBytes(StandardCharsets.UTF_8);
        long appendStart = System.nanoTime();
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            while (log.nextPosition() < records) {
                log.append(batch(log.nextPosition(), data, metadata));
                log.flush();
            }
            report("append+flush (fsync, " + BATCH + " records per flush)", records, System.nanoTime() - appendStart);
            long single = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                log.append(List.of(record(log.nextPosition(), data, metadata)));
                log.flush();
            }
            report("append+flush (fsync, 1 record per flush)", 1000, System.nanoTime() - single);
            System.out.printf(
                    "log: %d records, %d segments, %.1f MB%n",
                    log.durablePosition() + 1, log.segmentCount(), log.sizeBytes() / 1e6);
            for (int round = 0; round < 3; round++) {
                AtomicLong visited = new AtomicLong();
                long scanStart = System.nanoTime();
                log.scan(0, (position, stream, version) -> visited.incrementAndGet());
                report("scan round " + round, visited.get(), System.nanoTime() - scanStart);
            }
            long readStart = System.nanoTime();
            long read = 0;
            for (long p = 0; p <= log.durablePosition(); p += 1000) {
                read += log.readForward(p, 1000).size();
            }
            report("readForward (1000 per call)", read, System.nanoTime() - readStart);
        }
        long openStart = System.nanoTime();
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            System.out.printf(
                    "reopen with checkpoint: %.1f ms (%d records)%n",
                    (System.nanoTime() - openStart) / 1e6, log.durablePosition() + 1);
        }
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        openStart = System.nanoTime();
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            System.out.printf(
                    "reopen without checkpoint (full scan): %.1f ms (%d records)%n",
                    (System.nanoTime() - openStart) / 1e6, log.durablePosition() + 1);
        }
    }

    private static List<RecordedEvent> batch(long first, byte[] data, byte[] metadata) {
        List<RecordedEvent> out = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            out.add(record(first + i, data, metadata));
        }
        return out;
    }

    private static RecordedEvent record(long position, byte[] data, byte[] metadata) {
        return new RecordedEvent(
                "order-" + (position % 10_000),
                position / 10_000,
                position,
                new UUID(position, position),
                "OrderPlaced",
                data,
                metadata,
                ContentType.JSON,
                Instant.ofEpochSecond(1_700_000_000L, position));
    }

    private static void report(String what, long count, long nanos) {
        System.out.printf(
                "%-45s %,12d in %8.1f ms = %,12.0f records/s%n", what, count, nanos / 1e6, count / (nanos / 1e9));
    }
}
