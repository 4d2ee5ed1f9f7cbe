package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.StoreFailedException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After the first IO error the log accepts no more writes, names that error, and never moves. */
class SegmentedLogFailStopTest {
    @TempDir
    Path dir;

    private final TestIo io = new TestIo();

    @Test
    void failedFsyncFailsTheLogForGood() throws IOException {
        assertFailStop(new SegmentedLog.Options(1 << 20, true), io.failForce, log -> log.flush());
    }

    @Test
    void failedWriteFailsTheLogForGood() throws IOException {
        assertFailStop(new SegmentedLog.Options(1 << 20, false), io.failWrite, log -> log.flush());
    }

    @Test
    void failureWhileRollingASegmentFailsTheLogForGood() throws IOException {
        assertFailStop(new SegmentedLog.Options(1024, true), io.failOpen, log -> {
            int segments = log.segmentCount();
            while (log.segmentCount() == segments) {
                log.append(events(log.nextPosition(), 2));
            }
        });
    }

    @Test
    void failedCheckpointInFlushFailsTheLogForGood() throws IOException {
        assertFailStop(new SegmentedLog.Options(1 << 20, true), io.failOpen, log -> {
            io.elapseCheckpointInterval();
            log.flush();
        });
    }

    @FunctionalInterface
    interface LogAction {
        void run(SegmentedLog log) throws IOException;
    }

    private void assertFailStop(SegmentedLog.Options options, AtomicReference<IOException> fault, LogAction failing)
            throws IOException {
        IOException injected = new IOException("injected fault");
        long durable;
        try (SegmentedLog log = SegmentedLog.open(dir, options, io, io::nanoTime)) {
            for (int i = 0; i < 5; i++) {
                appendFlushed(log, 3);
            }
            durable = log.durablePosition();
            log.append(events(log.nextPosition(), 2));
            fault.set(injected);
            assertThatThrownBy(() -> failing.run(log)).isSameAs(injected);
            fault.set(null); // the disk "recovers": the log must not
            assertThat(log.durablePosition()).isEqualTo(durable);
            assertThatThrownBy(() -> log.append(events(log.nextPosition(), 1)))
                    .isInstanceOf(StoreFailedException.class)
                    .hasCause(injected);
            assertThatThrownBy(log::flush)
                    .isInstanceOf(StoreFailedException.class)
                    .hasCause(injected);
            assertThatThrownBy(log::flush)
                    .isInstanceOf(StoreFailedException.class)
                    .hasCause(injected);
            assertThat(log.durablePosition()).isEqualTo(durable);
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(0, (int) durable + 1));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, options)) {
            // What the failed call wrote may or may not have reached the file; what was durable did.
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(durable);
            assertThat(log.readForward(0, (int) durable + 1)).containsExactlyElementsOf(events(0, (int) durable + 1));
        }
    }
}
