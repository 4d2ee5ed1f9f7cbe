package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.FileIo;
import io.factum.engine.fault.ForwardingFileIo;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preallocated segments: the background-prepared file becomes the next segment at a roll, the data
 * end is found inside a file longer than its data, and crashes around preparation lose nothing.
 */
class SegmentPreallocationTest {
    private static final SegmentedLog.Options OPTIONS = new SegmentedLog.Options(64 << 10, true);
    private static final long WAIT_NANOS = 30_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void thePreparedFileBecomesTheNextSegmentAtRoll() throws IOException {
        Path dir = tmp.resolve("log");
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            // A quarter of the segment size asks for the next file.
            while (log.sizeBytes() < (16 << 10) + 64) {
                appendFlushed(log, 4);
            }
            awaitPrepared(log);
            Path prepared = dir.resolve(SegmentPreparer.FILE_NAME);
            Object fileKey = fileKey(prepared);
            assertThat(Files.size(prepared)).isEqualTo(SegmentPreparer.fileBytes(64 << 10));
            assertThat(LogFixtures.zerosFrom(prepared, 0)).isTrue();
            int segments = log.segmentCount();
            while (log.segmentCount() == segments) {
                appendFlushed(log, 4);
            }
            Path started = LogFixtures.lastSegment(dir);
            assertThat(fileKey(started)).as("the prepared file itself, renamed").isEqualTo(fileKey);
            assertThat(Files.size(started)).isEqualTo(SegmentPreparer.fileBytes(64 << 10));
            Path sealed = LogFixtures.segmentFiles(dir).get(segments - 1);
            assertThat(Files.size(sealed))
                    .as("sealing cuts the file to its data")
                    .isEqualTo(LogFixtures.dataEnd(sealed));
            assertThat(log.readForward(0, 100_000))
                    .containsExactlyElementsOf(events(0, (int) log.durablePosition() + 1));
        }
        assertThat(dir.resolve(SegmentPreparer.FILE_NAME))
                .as("close deletes an unused prepared file")
                .doesNotExist();
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    @Test
    void aFileLeftByACrashDuringPreparationIsDeletedAndNeverTakenForData() throws IOException {
        Path dir = crashedLog();
        byte[] partial = new byte[10_000];
        new Random(7).nextBytes(partial);
        Files.write(dir.resolve(SegmentPreparer.FILE_NAME), partial);
        long head = durableHead(dir);
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(dir.resolve(SegmentPreparer.FILE_NAME)).doesNotExist();
            assertThat(log.durablePosition()).isEqualTo(head);
            appendFlushed(log, 3);
        }
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    @Test
    void aCrashRightAfterTheRenameLeavesAnEmptySegmentThatOpens() throws IOException {
        AtomicBoolean failDirectorySync = new AtomicBoolean();
        IOException injected = new IOException("injected: crash before the directory fsync");
        FileIo io = new ForwardingFileIo(FileIo.system()) {
            @Override
            public void fsyncDirectory(Path dir) throws IOException {
                if (failDirectorySync.get()) {
                    throw injected;
                }
                super.fsyncDirectory(dir);
            }
        };
        Path live = tmp.resolve("live");
        Path crashed;
        long durable;
        try (SegmentedLog log = SegmentedLog.open(live, OPTIONS, io)) {
            while (log.sizeBytes() < (48 << 10)) {
                appendFlushed(log, 4);
            }
            awaitPrepared(log);
            durable = log.durablePosition();
            int segments = log.segmentCount();
            failDirectorySync.set(true);
            assertThatThrownBy(() -> {
                        while (log.segmentCount() == segments) {
                            log.append(events(log.nextPosition(), 4));
                        }
                    })
                    .isSameAs(injected);
            crashed = LogFixtures.crashCopy(live, tmp.resolve("crashed"));
        }
        Path empty = LogFixtures.lastSegment(crashed);
        assertThat(Files.size(empty)).isEqualTo(SegmentPreparer.fileBytes(64 << 10));
        assertThat(LogFixtures.dataEnd(empty)).isEqualTo(LogFormat.HEADER_BYTES);
        try (SegmentedLog log = SegmentedLog.open(crashed, OPTIONS)) {
            // The frames the roll sealed were never acknowledged, but they are whole: they stay.
            assertThat(log.durablePosition()).isGreaterThanOrEqualTo(durable);
            assertThat(log.segmentCount())
                    .isEqualTo(LogFixtures.segmentFiles(crashed).size());
            assertThat(log.readForward(0, 100_000))
                    .containsExactlyElementsOf(events(0, (int) log.durablePosition() + 1));
            appendFlushed(log, 2);
        }
        assertThat(SegmentedLog.verify(crashed).problems()).isEmpty();
    }

    @Test
    void aByteFlippedInTheZerosRightAfterTheDataIsReportedThenZeroedAtOpen() throws IOException {
        Path dir = crashedLog();
        Path last = LogFixtures.lastSegment(dir);
        long end = LogFixtures.dataEnd(last);
        long head = durableHead(dir);
        LogFixtures.flipByte(last, end + 100);
        assertThat(SegmentedLog.verify(dir).problems())
                .singleElement()
                .satisfies(p -> assertThat(p.offset()).isEqualTo(end))
                .satisfies(p -> assertThat(p.description()).contains("torn tail of 101 bytes"));
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.durablePosition()).isEqualTo(head);
        }
        assertThat(LogFixtures.zerosFrom(last, end)).isTrue();
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    @Test
    void aByteFlippedFarBeyondTheDataIsNeverLookedAt() throws IOException {
        SegmentedLog.Options large = new SegmentedLog.Options(4 << 20, true);
        Path dir = tmp.resolve("large");
        try (SegmentedLog log = SegmentedLog.open(dir, large)) {
            for (int i = 0; i < 10; i++) {
                appendFlushed(log, 3);
            }
        }
        // The first segment of a new log is created small; make it look preallocated.
        Path last = LogFixtures.lastSegment(dir);
        long end = LogFixtures.dataEnd(last);
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            LogFiles.writeZeros(channel, end, SegmentPreparer.fileBytes(4 << 20));
        }
        long far = end + FrameSearch.ZERO_GAP_BYTES + 4096;
        LogFixtures.flipByte(last, far);
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
        try (SegmentedLog log = SegmentedLog.open(dir, large)) {
            assertThat(log.durablePosition()).isEqualTo(29);
            appendFlushed(log, 3);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, large)) {
            assertThat(log.readForward(0, 100)).containsExactlyElementsOf(events(0, 33));
        }
        assertThat(LogFixtures.bytes(last)[(int) far]).isNotZero();
    }

    @Test
    void reopeningALogWithAPreallocatedSegmentScansOnlyItsData() throws IOException {
        SegmentedLog.Options large = new SegmentedLog.Options(64L << 20, true);
        Path dir = tmp.resolve("reopen");
        try (SegmentedLog log = SegmentedLog.open(dir, large)) {
            appendFlushed(log, 10);
        }
        Path last = LogFixtures.lastSegment(dir);
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            LogFiles.writeZeros(channel, LogFixtures.dataEnd(last), SegmentPreparer.fileBytes(64L << 20));
        }
        for (boolean withCheckpoint : new boolean[] {true, false}) {
            if (!withCheckpoint) {
                Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
            }
            long start = System.nanoTime();
            try (SegmentedLog log = SegmentedLog.open(dir, large)) {
                assertThat(log.durablePosition()).isEqualTo(9);
                assertThat(log.sizeBytes()).isEqualTo(LogFixtures.dataEnd(last));
            }
            System.out.printf(
                    "reopen of a %,d-byte preallocated segment (%s checkpoint): %.1f ms%n",
                    Files.size(last), withCheckpoint ? "with" : "without", (System.nanoTime() - start) / 1e6);
        }
    }

    // ---- helpers ----

    /** A copy, taken while the log was open, of a log with a few flushed frames. */
    private Path crashedLog() throws IOException {
        Path live = tmp.resolve("live-" + System.nanoTime());
        try (SegmentedLog log = SegmentedLog.open(live, OPTIONS)) {
            for (int i = 0; i < 20; i++) {
                appendFlushed(log, 3);
            }
            // Make the active segment preallocated, as every segment after the first is.
            int segments = log.segmentCount();
            while (log.segmentCount() == segments) {
                appendFlushed(log, 3);
            }
            appendFlushed(log, 3);
            return LogFixtures.crashCopy(live, tmp.resolve("crashed-" + System.nanoTime()));
        }
    }

    private static long durableHead(Path dir) throws IOException {
        try (LogReader reader = LogReader.open(dir)) {
            return reader.lastPosition();
        }
    }

    private static void awaitPrepared(SegmentedLog log) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (!log.nextSegmentPrepared()) {
            assertThat(System.nanoTime())
                    .as("the next segment is prepared in time")
                    .isLessThan(deadline);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }
}
