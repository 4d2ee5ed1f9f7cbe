package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.RecordedEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random sequences of appends, flushes, clean reopens, crashes (a copy of the files of the open log)
 * and checkpoint ticks against a model: the list of positions the log has acknowledged. After every
 * step every kind of read must agree with the model, and after a crash nothing acknowledged may be
 * missing.
 */
class SegmentedLogModelTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void randomHistoriesAgreeWithTheModel(long seed) throws IOException {
        Random random = new Random(seed);
        SegmentedLog.Options options = new SegmentedLog.Options(512 + random.nextInt(8192), random.nextBoolean());
        TestIo io = new TestIo();
        Path dir = tmp.resolve("log-0");
        int crashes = 0;
        long acknowledged = -1;
        SegmentedLog log = SegmentedLog.open(dir, options, io, io::nanoTime);
        try {
            for (int step = 0; step < 200; step++) {
                int op = random.nextInt(100);
                if (op < 55) {
                    log.append(events(log.nextPosition(), 1 + random.nextInt(6)));
                } else if (op < 85) {
                    log.flush();
                    acknowledged = log.nextPosition() - 1;
                } else if (op < 90) {
                    io.elapseCheckpointInterval();
                } else if (op < 95) {
                    long written = log.nextPosition() - 1;
                    long sealed = LogFormat.parseSegmentFileName(LogFixtures.lastSegment(dir)
                                            .getFileName()
                                            .toString())
                                    .getAsLong()
                            - 1;
                    log.close();
                    log = SegmentedLog.open(dir, options, io, io::nanoTime);
                    // close() discards unflushed frames, except those a segment roll already sealed.
                    assertThat(log.durablePosition()).isEqualTo(Math.max(acknowledged, sealed));
                    assertThat(log.durablePosition()).isLessThanOrEqualTo(written);
                    acknowledged = log.durablePosition();
                } else {
                    Path copy = LogFixtures.crashCopy(dir, tmp.resolve("log-" + ++crashes));
                    long written = log.nextPosition() - 1;
                    log.close();
                    dir = copy;
                    log = SegmentedLog.open(dir, options, io, io::nanoTime);
                    // Unacknowledged frames may survive a crash (a roll forces them), acknowledged ones must.
                    assertThat(log.durablePosition()).isBetween(acknowledged, written);
                    acknowledged = log.durablePosition();
                }
                checkReads(log, random, acknowledged);
            }
        } finally {
            log.close();
        }
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    private static void checkReads(SegmentedLog log, Random random, long head) throws IOException {
        assertThat(log.durablePosition()).isEqualTo(head);
        if (head < 0) {
            assertThat(log.readForward(0, 10)).isEmpty();
            return;
        }
        long from = random.nextLong(head + 1);
        int max = 1 + random.nextInt(50);
        List<RecordedEvent> forward = events(from, (int) Math.min(max, head - from + 1));
        assertThat(log.readForward(from, max)).containsExactlyElementsOf(forward);
        List<RecordedEvent> backward =
                new ArrayList<>(events(Math.max(0, from - max + 1), (int) Math.min(max, from + 1)));
        java.util.Collections.reverse(backward);
        assertThat(log.readBackward(from, max)).containsExactlyElementsOf(backward);
        assertThat(log.read(from)).isEqualTo(LogFixtures.event(from));
        long[] next = {from};
        log.scan(from, (position, stream, version) -> assertThat(position).isEqualTo(next[0]++));
        assertThat(next[0]).isEqualTo(head + 1);
    }
}
