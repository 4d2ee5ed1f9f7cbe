package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One writer appends and flushes (rolling many segments) while four readers read forward, backward,
 * by position and by scan. Every read must return dense positions with the exact records, nothing
 * beyond the durable position observed after it returned, and everything up to the durable
 * position observed before it started.
 *
 * <p>Run without a log cache, with the default one (everything cached), and with a cache of one
 * block: there the writer recycles the block readers are reading in place all the time, so every
 * read that raced a recycle must have noticed and read again. Half the reads are near the head,
 * where the cache is.
 */
class SegmentedLogConcurrencyTest {
    private static final int RECORDS = 40_000;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "log cache of {0} bytes")
    @ValueSource(longs = {0, LogCache.BLOCK_BYTES, SegmentedLog.Options.DEFAULT_CACHE_BYTES})
    void readersNeverSeeBeyondTheDurablePositionAndAlwaysSeeDensePositions(long cacheBytes) throws Exception {
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try (SegmentedLog log = SegmentedLog.open(dir, new SegmentedLog.Options(64 << 10, false, cacheBytes))) {
            Thread writer = new Thread(() -> write(log, start, writing, errors), "writer");
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long seed = i;
                readers.add(new Thread(() -> read(log, seed, start, writing, reads, errors), "reader-" + i));
            }
            writer.start();
            readers.forEach(Thread::start);
            start.countDown();
            writer.join(TimeUnit.MINUTES.toMillis(2));
            for (Thread reader : readers) {
                reader.join(TimeUnit.MINUTES.toMillis(1));
            }
            assertThat(writer.isAlive()).isFalse();
            assertThat(readers).noneMatch(Thread::isAlive);
            assertThat(errors).isEmpty();
            assertThat(log.durablePosition()).isEqualTo(RECORDS - 1);
            assertThat(log.segmentCount()).isGreaterThan(20);
            assertThat(reads.get()).isGreaterThan(100);
        }
    }

    private static void write(SegmentedLog log, CountDownLatch start, AtomicBoolean writing, Queue<Throwable> errors) {
        Random random = new Random(99);
        try {
            start.await();
            while (log.nextPosition() < RECORDS) {
                int appends = 1 + random.nextInt(4);
                for (int i = 0; i < appends && log.nextPosition() < RECORDS; i++) {
                    int count = (int) Math.min(1 + random.nextInt(10), RECORDS - log.nextPosition());
                    log.append(events(log.nextPosition(), count));
                }
                log.flush();
            }
        } catch (Throwable e) {
            errors.add(e);
        } finally {
            writing.set(false);
        }
    }

    private static void read(
            SegmentedLog log,
            long seed,
            CountDownLatch start,
            AtomicBoolean writing,
            AtomicLong reads,
            Queue<Throwable> errors) {
        Random random = new Random(seed);
        try {
            start.await();
            while (writing.get()) {
                long before = log.durablePosition();
                if (before < 0) {
                    Thread.onSpinWait();
                    continue;
                }
                readOnce(log, random, before);
                reads.incrementAndGet();
            }
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    private static void readOnce(SegmentedLog log, Random random, long before) throws IOException {
        long from = random.nextBoolean() ? random.nextLong(before + 1) : Math.max(0, before - random.nextInt(2000));
        int max = 1 + random.nextInt(300);
        switch (random.nextInt(5)) {
            case 0 -> {
                List<RecordedEvent> got = log.readForward(from, max);
                long after = log.durablePosition();
                assertThat(got.size()).isGreaterThanOrEqualTo((int) Math.min(max, before - from + 1));
                checkDense(got, from, 1, after);
            }
            case 1 -> {
                List<RecordedEvent> got = log.readBackward(from, max);
                assertThat(got).hasSize((int) Math.min(max, from + 1));
                checkDense(got, from, -1, log.durablePosition());
            }
            case 2 -> assertThat(log.read(from)).isEqualTo(LogFixtures.event(from));
            case 3 -> {
                List<RecordedEvent> got = log.readBackward(Long.MAX_VALUE, max);
                long after = log.durablePosition();
                assertThat(got.get(0).position()).isBetween(before, after);
                checkDense(got, got.get(0).position(), -1, after);
            }
            default -> {
                long scanFrom = Math.max(0, before - 500);
                AtomicLong expected = new AtomicLong(scanFrom);
                log.scan(scanFrom, (position, stream, version) -> {
                    RecordedEvent event = LogFixtures.event(position);
                    assertThat(position).isEqualTo(expected.getAndIncrement());
                    assertThat(stream).isEqualTo(event.stream());
                    assertThat(version).isEqualTo(event.version());
                });
                assertThat(expected.get() - 1).isBetween(before, log.durablePosition());
            }
        }
    }

    private static void checkDense(List<RecordedEvent> got, long first, int step, long after) {
        for (int i = 0; i < got.size(); i++) {
            long position = first + (long) step * i;
            assertThat(position).isLessThanOrEqualTo(after);
            assertThat(got.get(i)).isEqualTo(LogFixtures.event(position));
        }
    }
}
