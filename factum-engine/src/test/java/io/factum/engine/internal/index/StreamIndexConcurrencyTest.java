package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Entry;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers run while one writer adds and the index flushes and merges underneath. A checker holds
 * every read to the rule: it sees every entry added before the read started (and only real
 * entries, in order).
 */
class StreamIndexConcurrencyTest {

    private static final int STREAMS = 200;
    private static final int ADDS = 120_000;
    private static final int READERS = 3;

    @TempDir
    Path dir;

    @Test
    void readers_see_every_entry_added_before_they_started() throws Exception {
        // The whole history is fixed up front, so a reader knows what each prefix must contain.
        Random random = new Random(42);
        String[] names = new String[STREAMS];
        for (int s = 0; s < STREAMS; s++) {
            names[s] = "stream-" + s;
        }
        int[] streamOf = new int[ADDS];
        List<List<Entry>> history = new ArrayList<>();
        List<List<Integer>> addIndexes = new ArrayList<>();
        for (int s = 0; s < STREAMS; s++) {
            history.add(new ArrayList<>());
            addIndexes.add(new ArrayList<>());
        }
        for (int i = 0; i < ADDS; i++) {
            int s = random.nextInt(10) < 7 ? random.nextInt(10) : random.nextInt(STREAMS); // some hot streams
            streamOf[i] = s;
            history.get(s).add(new Entry(history.get(s).size(), i));
            addIndexes.get(s).add(i);
        }
        AtomicLong added = new AtomicLong(); // adds completed; published after each add
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger reads = new AtomicInteger();

        try (StreamIndex index = StreamIndex.open(dir, new Options(2_000, 3, 10), p -> names[streamOf[(int) p]])) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Random rr = new Random(r);
                Thread t = new Thread(() -> {
                    while (added.get() < ADDS && failures.isEmpty()) {
                        int s = rr.nextInt(10) < 5 ? rr.nextInt(10) : rr.nextInt(STREAMS);
                        long before = added.get();
                        int visible = countBelow(addIndexes.get(s), before);
                        try {
                            check(
                                    failures,
                                    s,
                                    visible,
                                    history.get(s),
                                    index.read(names[s], 0, Direction.FORWARDS, Integer.MAX_VALUE),
                                    index.read(names[s], Long.MAX_VALUE, Direction.BACKWARDS, 3),
                                    index.lastVersion(names[s]));
                        } catch (Exception e) {
                            failures.add("reader failed: " + e);
                        }
                        reads.incrementAndGet();
                    }
                });
                t.start();
                readers.add(t);
            }
            for (int i = 0; i < ADDS; i++) {
                index.add(
                        names[streamOf[i]],
                        history.get(streamOf[i]).size() > 0 ? versionOf(addIndexes.get(streamOf[i]), i) : 0,
                        i);
                added.set(i + 1);
            }
            for (Thread t : readers) {
                t.join(TimeUnit.MINUTES.toMillis(2));
                assertThat(t.isAlive()).isFalse();
            }
            assertThat(failures).isEmpty();
            index.awaitMerges();
            assertThat(index.fileCount()).isLessThanOrEqualTo(3);
            assertThat(index.entryCount()).isEqualTo(ADDS);
        }
        assertThat(reads.get()).isGreaterThan(100);
        System.out.printf("concurrency: %d reads checked during %d adds%n", reads.get(), ADDS);
    }

    private static void check(
            Queue<String> failures,
            int s,
            int visible,
            List<Entry> all,
            List<Entry> forwards,
            List<Entry> backwards,
            long lastVersion) {
        // Forwards: a prefix of the stream's history at least as long as what was added before.
        if (forwards.size() < visible || !all.subList(0, forwards.size()).equals(forwards)) {
            failures.add("stream " + s + ": forwards read of " + forwards.size() + " entries, " + visible
                    + " were added before the read: " + forwards);
        }
        // Backwards: consecutive newest-first entries, starting at or after the last visible one.
        if (visible > 0) {
            int top = backwards.isEmpty() ? -1 : (int) backwards.get(0).version();
            int expectedSize = Math.min(3, top + 1);
            boolean ok = top >= visible - 1 && backwards.size() == expectedSize;
            for (int k = 0; ok && k < backwards.size(); k++) {
                ok = backwards.get(k).equals(all.get(top - k));
            }
            if (!ok) {
                failures.add("stream " + s + ": backwards read " + backwards + " with " + visible + " visible");
            }
        }
        if (lastVersion < visible - 1 || lastVersion >= all.size()) {
            failures.add("stream " + s + ": lastVersion " + lastVersion + " with " + visible + " visible");
        }
    }

    /** How many of the (ascending) add indexes are below n. */
    private static int countBelow(List<Integer> indexes, long n) {
        int lo = 0;
        int hi = indexes.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (indexes.get(mid) < n) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The version an add gets: the number of earlier adds to its stream. */
    private static long versionOf(List<Integer> indexes, int addIndex) {
        return countBelow(indexes, addIndex);
    }
}
