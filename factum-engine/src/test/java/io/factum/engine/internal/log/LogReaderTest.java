package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link LogReader}: reads what a closed log holds without changing a byte, tells damaged positions
 * from absent ones, and resumes after damage. The log has 4 KiB segments and frames of exactly
 * {@value #PER_FRAME} records, so the positions of each frame follow from its index.
 */
class LogReaderTest {
    private static final SegmentedLog.Options OPTIONS = new SegmentedLog.Options(4096, true);
    private static final int PER_FRAME = 3;
    private static final int FRAMES = 62;
    private static final long HEAD = PER_FRAME * FRAMES - 1;

    @TempDir
    Path tmp;

    private Path dir;

    @BeforeEach
    void createClosedLog() throws IOException {
        dir = tmp.resolve("log");
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            for (int i = 0; i < FRAMES; i++) {
                appendFlushed(log, PER_FRAME);
            }
        }
        assertThat(LogFixtures.segmentFiles(dir)).hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    void readsEveryRecordOfASoundLogAndChangesNothing() throws IOException {
        Map<Path, byte[]> before = snapshot(dir);
        try (LogReader reader = LogReader.open(dir)) {
            assertThat(reader.lastPosition()).isEqualTo(HEAD);
            assertThat(reader.segmentCount())
                    .isEqualTo(LogFixtures.segmentFiles(dir).size());
            for (long p = 0; p <= HEAD; p++) {
                assertThat(reader.read(p)).isEqualTo(new LogReader.Lookup.Found(LogFixtures.event(p)));
            }
            assertThat(reader.read(-1)).isInstanceOf(LogReader.Lookup.Absent.class);
            assertThat(reader.read(HEAD + 1)).isInstanceOf(LogReader.Lookup.Absent.class);
        }
        assertSameFiles(before);
    }

    @Test
    void scansSealedSegmentsWhoseSidecarIsMissingAndWritesNone() throws IOException {
        for (Path segment : LogFixtures.segmentFiles(dir)) {
            Files.deleteIfExists(Sidecar.pathFor(dir, firstPositionOf(segment)));
        }
        Map<Path, byte[]> before = snapshot(dir);
        try (LogReader reader = LogReader.open(dir)) {
            for (long p = 0; p <= HEAD; p++) {
                assertThat(reader.read(p)).isEqualTo(new LogReader.Lookup.Found(LogFixtures.event(p)));
            }
        }
        assertSameFiles(before);
    }

    /** With the sidecar the damage is met on the first read; without it, by the scan at open. */
    @ParameterizedTest(name = "sidecar present: {0}")
    @ValueSource(booleans = {true, false})
    void aDamagedFrameOfASealedSegmentIsDamagedOnlyForItsOwnPositions(boolean withSidecar) throws IOException {
        Path segment = LogFixtures.segmentFiles(dir).get(1);
        long first = firstPositionOf(segment);
        long frame = LogFixtures.frameOffsets(segment).get(2);
        LogFixtures.flipByte(segment, frame + 40);
        if (!withSidecar) {
            Files.delete(Sidecar.pathFor(dir, first));
        }
        long damagedFrom = first + 2 * PER_FRAME;
        try (LogReader reader = LogReader.open(dir)) {
            for (long p = 0; p <= HEAD; p++) {
                if (p >= damagedFrom && p < damagedFrom + PER_FRAME) {
                    assertThat(reader.read(p))
                            .as("position %d", p)
                            .isEqualTo(new LogReader.Lookup.Damaged(segment, frame));
                } else {
                    assertThat(reader.read(p))
                            .as("position %d", p)
                            .isEqualTo(new LogReader.Lookup.Found(LogFixtures.event(p)));
                }
            }
        }
    }

    @Test
    void aTornTailEndsTheLogAndIsNotTruncated() throws IOException {
        Path last = LogFixtures.lastSegment(dir);
        List<Long> frames = LogFixtures.frameOffsets(last);
        long cut = frames.get(frames.size() - 1) + 17;
        LogFixtures.truncate(last, cut);
        try (LogReader reader = LogReader.open(dir)) {
            assertThat(reader.lastPosition()).isEqualTo(HEAD - PER_FRAME);
            assertThat(reader.read(HEAD - PER_FRAME)).isInstanceOf(LogReader.Lookup.Found.class);
            for (long p = HEAD - PER_FRAME + 1; p <= HEAD; p++) {
                assertThat(reader.read(p))
                        .as("a torn tail is absent, not damage")
                        .isInstanceOf(LogReader.Lookup.Absent.class);
            }
        }
        assertThat(Files.size(last)).isEqualTo(cut);
    }

    @Test
    void damageInsideTheLastSegmentIsSkippedAndTheFramesAfterItAreRead() throws IOException {
        Path last = LogFixtures.lastSegment(dir);
        long first = firstPositionOf(last);
        List<Long> frames = LogFixtures.frameOffsets(last);
        assertThat(frames).hasSizeGreaterThan(2);
        LogFixtures.flipByte(last, frames.get(1) + 40);
        try (LogReader reader = LogReader.open(dir)) {
            assertThat(reader.lastPosition()).isEqualTo(HEAD);
            for (long p = first + PER_FRAME; p < first + 2 * PER_FRAME; p++) {
                assertThat(reader.read(p)).isEqualTo(new LogReader.Lookup.Damaged(last, frames.get(1)));
            }
            for (long p = first + 2 * PER_FRAME; p <= HEAD; p++) {
                assertThat(reader.read(p)).isEqualTo(new LogReader.Lookup.Found(LogFixtures.event(p)));
            }
        }
    }

    @Test
    void theCutOffTailOfASealedSegmentIsDamagedNotAbsent() throws IOException {
        List<Path> segments = LogFixtures.segmentFiles(dir);
        Path sealed = segments.get(1);
        long next = firstPositionOf(segments.get(2));
        List<Long> frames = LogFixtures.frameOffsets(sealed);
        long lastFrame = frames.get(frames.size() - 1);
        LogFixtures.truncate(sealed, lastFrame + 17);
        try (LogReader reader = LogReader.open(dir)) {
            for (long p = next - PER_FRAME; p < next; p++) {
                assertThat(reader.read(p)).isEqualTo(new LogReader.Lookup.Damaged(sealed, lastFrame));
            }
            assertThat(reader.read(next)).isEqualTo(new LogReader.Lookup.Found(LogFixtures.event(next)));
            assertThat(reader.lastPosition()).isEqualTo(HEAD);
        }
    }

    private static long firstPositionOf(Path segment) {
        return LogFormat.parseSegmentFileName(segment.getFileName().toString()).orElseThrow();
    }

    private void assertSameFiles(Map<Path, byte[]> before) throws IOException {
        Map<Path, byte[]> after = snapshot(dir);
        assertThat(after).containsOnlyKeys(before.keySet());
        before.forEach(
                (file, bytes) -> assertThat(after.get(file)).as("%s", file).isEqualTo(bytes));
    }

    private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(file -> files.put(file, LogFixtures.bytes(file)));
        }
        return files;
    }
}
