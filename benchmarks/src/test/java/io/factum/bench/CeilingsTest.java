package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CeilingsTest {

    @TempDir
    Path dir;

    @Test
    void fsyncRateIsMeasuredAndItsFileRemoved() throws IOException {
        AtomicLong progress = new AtomicLong();

        Ceilings.FsyncRate r = Ceilings.measureFsync(dir, Duration.ofMillis(100), progress);

        assertThat(r.opsPerSec()).isPositive().isFinite();
        assertThat(r.latency().count()).isPositive().isEqualTo(progress.get());
        assertThat(r.latency().p99Ms())
                .isGreaterThanOrEqualTo(r.latency().p50Ms())
                .isPositive();
        assertThat(r.duration()).isEqualTo(Duration.ofMillis(100));
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void writeBandwidthIsMeasuredOverTheWholeFileAndTheFileRemoved() throws IOException {
        AtomicLong progress = new AtomicLong();
        long size = 3L * Ceilings.WRITE_BUFFER_BYTES + 17;

        double mbps = Ceilings.measureWriteMBps(dir, size, progress);

        assertThat(mbps).isPositive().isFinite();
        assertThat(progress.get()).isEqualTo(size);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void describesBothCeilingsWithHowTheyWereMeasured() {
        Ceilings c = Ceilings.of(
                new Ceilings.FsyncRate(8448.4, new Latency(100, 0.116, 0.175, 0.2, 0.3), Duration.ofSeconds(3)),
                406.26,
                1L << 30);

        assertThat(c.describe())
                .containsExactly(
                        "fsync rate        8,448 ops/s (200-byte write + force(false), 1 thread, 3s;"
                                + " p50 0.116 ms, p99 0.175 ms)",
                        "sequential write  406.3 MB/s (1 MiB writes to a 1g file, force at the end)");
        assertThat(c.toMap()).containsEntry("writeBytes", 1L << 30).containsEntry("fsyncP99Ms", 0.175);
    }
}
