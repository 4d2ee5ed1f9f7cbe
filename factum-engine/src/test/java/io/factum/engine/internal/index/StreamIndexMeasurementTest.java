package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints figures for the budget in {@code docs/internals/index.md}: the add rate (what bounds a
 * rebuild from the log) and heap bytes per entry and per stream. Figures only; no assertion on
 * speed (the benchmarks module measures the engine as a whole).
 */
class StreamIndexMeasurementTest {

    @TempDir
    Path dir;

    private static final StreamIndex.StreamResolver NO_LOG = p -> {
        throw new IOException("the measurement uses no colliding names");
    };

    @Test
    void add_rate_with_flushes_and_merges() throws IOException, InterruptedException {
        int streams = 100_000;
        int adds = 4_000_000;
        String[] names = new String[streams];
        for (int s = 0; s < streams; s++) {
            names[s] = "account-" + s;
        }
        long[] versions = new long[streams];
        try (StreamIndex index = StreamIndex.open(dir.resolve("rate"), Options.defaults(), NO_LOG)) {
            long start = System.nanoTime();
            for (int i = 0; i < adds; i++) {
                // A new String per add, as a rebuild decodes each name from the log.
                int s = (int) ((i * 2_654_435_761L) % streams);
                index.add(new String(names[s]), versions[s]++, i);
            }
            long addNanos = System.nanoTime() - start;
            index.flush();
            long flushNanos = System.nanoTime() - start;
            index.awaitMerges();
            System.out.printf(
                    "index add rate: %,d entries in %,d ms = %,.0f entries/s (%,.0f/s including the last flush); "
                            + "%d files, %,d bytes on disk (%.1f B/entry)%n",
                    adds,
                    addNanos / 1_000_000,
                    adds * 1e9 / addNanos,
                    adds * 1e9 / flushNanos,
                    index.fileCount(),
                    index.sizeBytes(),
                    (double) index.sizeBytes() / adds);
            assertThat(index.entryCount()).isEqualTo(adds);
            assertThat(index.streamCount()).isEqualTo(streams);
            assertThat(index.lastVersion(names[7])).isEqualTo(versions[7] - 1);
            assertThat(index.read(names[7], 0, Direction.FORWARDS, 1000)).hasSize((int) versions[7]);
        }
    }

    @Test
    void heap_per_entry_and_per_stream() throws IOException {
        // Memtable, many entries per stream.
        perEntry(10_000, 1_000_000);
        // Memtable, one entry per stream: the per-stream cost.
        perEntry(1_000_000, 1_000_000);
    }

    private void perEntry(int streams, int adds) throws IOException {
        String[] names = new String[streams];
        for (int s = 0; s < streams; s++) {
            names[s] = "stream-" + s; // held by the test: the figures below exclude the name strings
        }
        Path d = dir.resolve("heap-" + streams);
        try (StreamIndex index = StreamIndex.open(d, new Options(adds + 1, 8, 10), NO_LOG)) {
            long before = usedHeap();
            for (int i = 0; i < adds; i++) {
                index.add(names[i % streams], i / streams, i);
            }
            long memtable = usedHeap() - before;
            long flushStart = System.nanoTime();
            index.flush();
            long flushMs = (System.nanoTime() - flushStart) / 1_000_000;
            System.out.printf(
                    "index heap, %,d streams x %,d entries: memtable %.1f B/entry measured (names excluded);"
                            + " flush %,d ms; the file holds %.2f B/entry = %.2f B/stream in heap%n",
                    streams,
                    adds / streams,
                    (double) memtable / adds,
                    flushMs,
                    (double) index.fileHeapBytes() / adds,
                    (double) index.fileHeapBytes() / streams);
            assertThat(index.entryCount()).isEqualTo(adds);
        }
    }

    /**
     * The cost of the open-time block check ({@link Options#openCheckBytes}): opens the same index
     * (about 110 MB, from the page cache) with no block check and with every block checked, and
     * prints the difference per 100 MB. Figures only.
     */
    @Test
    void open_time_block_check_cost() throws IOException {
        Path d = dir.resolve("open-check");
        int streams = 100_000;
        int adds = 4_000_000;
        String[] names = new String[streams];
        for (int s = 0; s < streams; s++) {
            names[s] = "account-" + s;
        }
        long bytes;
        try (StreamIndex index = StreamIndex.open(d, Options.defaults(), NO_LOG)) {
            for (int i = 0; i < adds; i++) {
                index.add(names[i % streams], i / streams, i);
            }
            index.flush();
            bytes = index.sizeBytes();
        }
        Options none = new Options(1 << 20, 8, 10, 0);
        Options all = new Options(1 << 20, 8, 10, Long.MAX_VALUE);
        long bestNone = Long.MAX_VALUE;
        long bestAll = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) { // the first rounds warm the JIT and the page cache
            bestNone = Math.min(bestNone, timeOpen(d, none));
            bestAll = Math.min(bestAll, timeOpen(d, all));
        }
        double checkMs = (bestAll - bestNone) / 1e6;
        System.out.printf(
                "index open: %,d bytes in files; open without block check %.1f ms, with every block checked"
                        + " %.1f ms: the check costs %.1f ms = %.1f ms per 100 MB (page cache, best of 5)%n",
                bytes, bestNone / 1e6, bestAll / 1e6, checkMs, checkMs * 100e6 / bytes);
        assertThat(StreamIndex.openProblem(d, Long.MAX_VALUE)).isEmpty();
    }

    private static long timeOpen(Path d, Options options) throws IOException {
        long start = System.nanoTime();
        StreamIndex index = StreamIndex.open(d, options, NO_LOG);
        long nanos = System.nanoTime() - start;
        index.close();
        return nanos;
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
