package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.factum.engine.FileIo;
import io.factum.engine.VerifyReport;
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

/** {@link SegmentedLog#verify}: a sound closed log is ok; each kind of damage is named by file and offset. */
class SegmentedLogVerifyTest {
    private static final SegmentedLog.Options OPTIONS = new SegmentedLog.Options(4096, true);
    private static final int FRAMES = 60;

    @TempDir
    Path tmp;

    private Path sound;
    private int copies;

    @BeforeEach
    void createClosedLog() throws IOException {
        sound = tmp.resolve("sound");
        try (SegmentedLog log = SegmentedLog.open(sound, OPTIONS)) {
            for (int i = 0; i < FRAMES; i++) {
                appendFlushed(log, 1 + i % 3);
            }
        }
        assertThat(LogFixtures.segmentFiles(sound)).hasSize(3);
    }

    @Test
    void soundLogIsOkAndCounted() throws IOException {
        Map<Path, byte[]> before = snapshot(sound);
        LogVerification report = SegmentedLog.verify(sound);
        assertThat(report.ok()).isTrue();
        assertThat(report.segmentsChecked()).isEqualTo(3);
        assertThat(report.framesChecked()).isEqualTo(FRAMES);
        assertThat(report.recordsChecked()).isEqualTo(FRAMES / 3 * 6);
        assertThat(snapshot(sound)).as("verify changes nothing").containsOnlyKeys(before.keySet());
        before.forEach((file, bytes) -> assertThat(LogFixtures.bytes(file)).isEqualTo(bytes));
    }

    @Test
    void reportsDamagedSegmentHeader() throws IOException {
        Path dir = copy();
        Path segment = LogFixtures.segmentFiles(dir).get(0);
        LogFixtures.flipByte(segment, 0);
        assertThat(problems(dir))
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(segment, 0L));
    }

    @Test
    void reportsEveryDamagedFrameAndKeepsCheckingAfterIt() throws IOException {
        Path dir = copy();
        Path first = LogFixtures.segmentFiles(dir).get(0);
        Path second = LogFixtures.segmentFiles(dir).get(1);
        long frameA = LogFixtures.frameOffsets(first).get(2);
        long frameB = LogFixtures.frameOffsets(first).get(7);
        long frameC = LogFixtures.frameOffsets(second).get(4);
        LogFixtures.flipByte(first, frameA + 30);
        LogFixtures.flipByte(first, frameB + 2);
        LogFixtures.flipByte(second, frameC + 60);
        LogVerification report = SegmentedLog.verify(dir);
        assertThat(report.problems())
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(first, frameA), tuple(first, frameB), tuple(second, frameC));
        assertThat(report.framesChecked()).isEqualTo(FRAMES - 3);
        assertThat(report.problems().get(0).description()).contains("checksum");
    }

    @Test
    void reportsTornTail() throws IOException {
        Path dir = copy();
        Path last = LogFixtures.lastSegment(dir);
        List<Long> frames = LogFixtures.frameOffsets(last);
        long lastFrame = frames.get(frames.size() - 1);
        LogFixtures.truncate(last, lastFrame + 17);
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(last, lastFrame), tuple(last, lastFrame));
        assertThat(problems.get(0).description()).contains("torn tail");
        assertThat(problems.get(1).description()).contains("checkpoint");
    }

    @Test
    void reportsDamagedSidecar() throws IOException {
        Path dir = copy();
        Path sidecar = Sidecar.pathFor(dir, 0);
        long size = Files.size(sidecar);
        LogFixtures.flipByte(sidecar, 50);
        assertThat(problems(dir))
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(sidecar, size - 4));
    }

    @Test
    void reportsSidecarThatDisagreesWithItsSegment() throws IOException {
        Path dir = copy();
        long size = Files.size(LogFixtures.segmentFiles(dir).get(0));
        Sidecar real = ((Sidecar.Loaded.Present) Sidecar.read(FileIo.system(), dir, 0, size)).sidecar();
        // A well-formed sidecar with one entry too many (frame 1 starts at position 1): the CRC is
        // fine, only the comparison with the segment's own frames shows it is wrong.
        assertThat(real.index().size()).isEqualTo(1);
        SparseIndex extra = new SparseIndex();
        extra.add(0, LogFormat.HEADER_BYTES);
        extra.add(
                1,
                LogFixtures.frameOffsets(LogFixtures.segmentFiles(dir).get(0)).get(1));
        new Sidecar(0, real.lastPosition(), size, real.lastFrameOffset(), extra.view()).write(FileIo.system(), dir);
        assertThat(problems(dir))
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(Sidecar.pathFor(dir, 0), 16L));
    }

    @Test
    void reportsDamagedCheckpoint() throws IOException {
        Path dir = copy();
        Path checkpoint = dir.resolve(LogFormat.CHECKPOINT_FILE);
        LogFixtures.flipByte(checkpoint, 12);
        assertThat(problems(dir))
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(checkpoint, 32L));
    }

    @Test
    void reportsAMissingMiddleSegmentByItsName() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        Files.delete(files.get(1));
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(files.get(1), 0L));
        assertThat(problems.get(0).description())
                .contains("missing")
                .contains(files.get(0).getFileName().toString())
                .contains(files.get(2).getFileName().toString());
    }

    @Test
    void reportsAMissingFirstSegmentByItsName() throws IOException {
        Path dir = copy();
        Path first = LogFixtures.segmentFiles(dir).get(0);
        Files.delete(first);
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(first, 0L));
        assertThat(problems.get(0).description()).contains("missing").contains("starts at position 0");
    }

    @Test
    void reportsAMissingLastSegmentByItsNameOnce() throws IOException {
        Path dir = copy();
        Path last = LogFixtures.lastSegment(dir);
        Files.delete(last);
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(last, 0L));
        assertThat(problems.get(0).description()).contains("missing").contains("checkpoint");
    }

    @Test
    void reportsAMissingSegmentFoundByTwoChecksOnce() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        // The checkpoint names segment 1, and segment 2 follows it: both checks find segment 1 missing.
        long size = Files.size(files.get(1));
        long lastFrame = LogFixtures.frameOffsets(files.get(1)).getLast();
        Sidecar sidecar = ((Sidecar.Loaded.Present)
                        Sidecar.read(FileIo.system(), dir, firstPositionOf(files.get(1)), size))
                .sidecar();
        new Checkpoint(sidecar.lastPosition(), firstPositionOf(files.get(1)), lastFrame).write(FileIo.system(), dir);
        assertThat(problems(dir)).isEmpty();
        Files.delete(files.get(1));
        assertThat(problems(dir))
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(files.get(1), 0L));
    }

    @Test
    void reportsEverySegmentMissingWhenTheCheckpointShowsTheLogHeldEvents() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        for (Path file : files) {
            Files.delete(file);
        }
        assertThat(problems(dir)).extracting(VerifyReport.Problem::file).containsExactly(files.get(0), files.get(2));
    }

    @Test
    void reportsASegmentCutBelowItsHeader() throws IOException {
        for (int segment = 0; segment < 3; segment++) {
            Path dir = copy();
            Path file = LogFixtures.segmentFiles(dir).get(segment);
            LogFixtures.truncate(file, 7);
            assertThat(problems(dir))
                    .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                    .contains(tuple(file, 7L));
        }
    }

    @Test
    void reportsASealedSegmentCutAtAFrameBoundaryAgainstThatSegment() throws IOException {
        Path dir = copy();
        Path sealed = LogFixtures.segmentFiles(dir).get(0);
        long cut = LogFixtures.frameOffsets(sealed).getLast();
        LogFixtures.truncate(sealed, cut);
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .containsExactly(tuple(Sidecar.pathFor(dir, 0), 24L), tuple(sealed, cut));
        assertThat(problems.get(1).description()).contains("cut short");
    }

    @Test
    void reportsASegmentRenamedToAWrongFirstPosition() throws IOException {
        Path dir = copy();
        Path original = LogFixtures.segmentFiles(dir).get(1);
        Path renamed = dir.resolve(LogFormat.segmentFileName(firstPositionOf(original) + 3));
        Files.move(original, renamed);
        List<VerifyReport.Problem> problems = problems(dir);
        assertThat(problems)
                .extracting(VerifyReport.Problem::file, VerifyReport.Problem::offset)
                .contains(tuple(renamed, 8L));
        assertThat(problems)
                .filteredOn(p -> p.file().equals(renamed) && p.offset() == 8)
                .first()
                .extracting(VerifyReport.Problem::description)
                .asString()
                .contains(original.getFileName().toString());
    }

    private List<VerifyReport.Problem> problems(Path dir) throws IOException {
        return SegmentedLog.verify(dir).problems();
    }

    private static long firstPositionOf(Path segment) {
        return LogFormat.parseSegmentFileName(segment.getFileName().toString()).getAsLong();
    }

    private Path copy() throws IOException {
        return LogFixtures.crashCopy(sound, tmp.resolve("copy-" + copies++));
    }

    private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(file -> files.put(file, LogFixtures.bytes(file)));
        }
        return files;
    }
}
