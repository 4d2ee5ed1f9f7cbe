package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.CorruptStoreException;
import io.factum.engine.FileIo;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and corruption tests. Each starts from the same crashed state: a copy of the files of a log
 * that is still open, with two sealed segments, a checkpoint naming a frame in the active segment,
 * and four frames (positions 102..109) after it that no checkpoint covers.
 */
class SegmentedLogRecoveryTest {
    private static final SegmentedLog.Options OPTIONS = new SegmentedLog.Options(4096, true);
    private static final long HEAD = 109;
    private static final long CHECKPOINT_POSITION = 101;

    @TempDir
    Path tmp;

    private Path crashed;
    private int copies;

    @BeforeEach
    void crash() throws IOException {
        TestIo io = new TestIo();
        Path live = tmp.resolve("live");
        try (SegmentedLog log = SegmentedLog.open(live, OPTIONS, io, io::nanoTime)) {
            for (int i = 0; i < 50; i++) {
                appendFlushed(log, 2);
            }
            io.elapseCheckpointInterval();
            appendFlushed(log, 2); // this flush writes the checkpoint: positions 100..101
            for (int i = 0; i < 4; i++) {
                appendFlushed(log, 2);
            }
            crashed = LogFixtures.crashCopy(live, tmp.resolve("crashed"));
        }
        Checkpoint checkpoint = checkpoint(crashed);
        assertThat(checkpoint.position()).isEqualTo(CHECKPOINT_POSITION);
        assertThat(LogFixtures.segmentFiles(crashed)).hasSize(3);
        assertThat(checkpoint.segmentFirstPosition()).isEqualTo(firstPositionOf(LogFixtures.lastSegment(crashed)));
        assertThat(tailFrameOffsets(crashed)).hasSize(4);
    }

    @Test
    void crashedLogRecoversEverythingAndWritesAFreshCheckpoint() throws IOException {
        Path dir = copy();
        assertRecovers(dir, HEAD);
        assertThat(checkpoint(dir).position()).isEqualTo(HEAD);
    }

    @Test
    void tornLastFrameAtEveryByteBoundaryLeavesExactlyTheEarlierFrames() throws IOException {
        List<Long> tail = tailFrameOffsets(crashed);
        long lastFrame = tail.get(tail.size() - 1);
        long end = LogFixtures.dataEnd(LogFixtures.lastSegment(crashed));
        long size = Files.size(LogFixtures.lastSegment(crashed));
        assertThat(end - lastFrame).isGreaterThan(30);
        assertThat(size).as("the active segment is preallocated").isGreaterThan(end);
        for (long cut = lastFrame; cut < end; cut++) {
            // Inside the preallocated file: the cut bytes read as zeros; the torn part is zeroed.
            Path dir = copy();
            Path segment = LogFixtures.lastSegment(dir);
            LogFixtures.cutData(segment, cut);
            assertRecovers(dir, HEAD - 2);
            assertThat(Files.size(segment)).as("cut at %d", cut).isEqualTo(size);
            assertThat(LogFixtures.zerosFrom(segment, lastFrame))
                    .as("cut at %d", cut)
                    .isTrue();
            // A file that ends at the cut (written without preallocation) recovers the same way.
            Path shortDir = copy();
            Path shortSegment = LogFixtures.lastSegment(shortDir);
            LogFixtures.truncate(shortSegment, cut);
            assertRecovers(shortDir, HEAD - 2);
            assertThat(LogFixtures.zerosFrom(shortSegment, lastFrame))
                    .as("cut at %d", cut)
                    .isTrue();
        }
    }

    @Test
    void cutAnywhereInTheTailKeepsTheWholeFramesBeforeTheCut() throws IOException {
        List<Long> tail = tailFrameOffsets(crashed);
        long tailStart = tail.get(0);
        long end = LogFixtures.dataEnd(LogFixtures.lastSegment(crashed));
        Random random = new Random(42);
        for (int i = 0; i < 40; i++) {
            long cut = tailStart + random.nextLong(end - tailStart);
            long wholeFrames = tail.stream().filter(offset -> offset < cut).count() - 1;
            wholeFrames += tail.stream().filter(offset -> offset == cut).count();
            Path dir = copy();
            LogFixtures.cutData(LogFixtures.lastSegment(dir), cut);
            assertRecovers(dir, CHECKPOINT_POSITION + 2 * wholeFrames);
        }
    }

    @Test
    void garbageAfterTheTailIsZeroed() throws IOException {
        Path dir = copy();
        Path segment = LogFixtures.lastSegment(dir);
        long size = Files.size(segment);
        long end = LogFixtures.dataEnd(segment);
        byte[] garbage = new byte[3000];
        new Random(3).nextBytes(garbage);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(garbage), end);
        }
        assertRecovers(dir, HEAD);
        assertThat(Files.size(segment)).isEqualTo(size);
        assertThat(LogFixtures.zerosFrom(segment, end)).isTrue();
    }

    @Test
    void damagedTailFrameFollowedByAValidFrameIsRefusedWithFileAndOffset() throws IOException {
        long frame = tailFrameOffsets(crashed).get(1);
        for (long delta : new long[] {0, 3, 5, 9, 12, 20, 30, 60}) {
            Path dir = copy();
            Path segment = LogFixtures.lastSegment(dir);
            LogFixtures.flipByte(segment, frame + delta);
            assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), segment, frame);
        }
    }

    @Test
    void damagedLastFrameWithNothingAfterItIsATornTail() throws IOException {
        List<Long> tail = tailFrameOffsets(crashed);
        Path dir = copy();
        LogFixtures.flipByte(LogFixtures.lastSegment(dir), tail.get(3) + 40);
        assertRecovers(dir, HEAD - 2);
    }

    @Test
    void damagedFrameHeaderBeforeTheCheckpointIsRefused() throws IOException {
        Path dir = copy();
        Path segment = LogFixtures.lastSegment(dir);
        long firstFrame = LogFixtures.frameOffsets(segment).get(1);
        LogFixtures.flipByte(segment, firstFrame + 1);
        assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), segment, firstFrame);
    }

    @Test
    void damagedPayloadBeforeTheCheckpointIsFoundByTheReaderNotByOpen() throws IOException {
        Path dir = copy();
        Path segment = LogFixtures.lastSegment(dir);
        long frame = LogFixtures.frameOffsets(segment).get(1);
        LogFixtures.flipByte(segment, frame + 40);
        long firstOfFrame = firstPositionOf(segment) + 2;
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.durablePosition()).isEqualTo(HEAD);
            // A point read checks the record it returns, and names that record's offset.
            assertRefused(() -> log.read(firstOfFrame), segment, frame + LogFormat.FRAME_PREFIX_BYTES);
            assertRefused(() -> log.readForward(0, 1000), segment, frame);
            assertThat(log.read(firstOfFrame - 1)).isEqualTo(LogFixtures.event(firstOfFrame - 1));
        }
    }

    @Test
    void damagedPayloadInASealedSegmentIsFoundByTheReaderAndByAFullScan() throws IOException {
        Path dir = copy();
        Path sealed = LogFixtures.segmentFiles(dir).get(0);
        long frame = LogFixtures.frameOffsets(sealed).get(3);
        LogFixtures.flipByte(sealed, frame + 50);
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertRefused(() -> log.read(6), sealed, frame + LogFormat.FRAME_PREFIX_BYTES);
            assertRefused(() -> log.scan(0, (p, s, v) -> {}), sealed, frame);
            assertThat(log.read(5)).isEqualTo(LogFixtures.event(5));
        }
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), sealed, frame);
    }

    @Test
    void damagedSegmentHeaderIsRefusedAtEveryByte() throws IOException {
        for (int segment : new int[] {0, 2}) {
            for (int offset = 0; offset < LogFormat.HEADER_BYTES; offset++) {
                Path dir = copy();
                Path file = LogFixtures.segmentFiles(dir).get(segment);
                LogFixtures.flipByte(file, offset);
                Throwable thrown =
                        catchRefusal(() -> SegmentedLog.open(dir, OPTIONS).close());
                CorruptStoreException corrupt = (CorruptStoreException) thrown;
                assertThat(corrupt.file()).isEqualTo(file);
                assertThat(corrupt.offset()).isBetween(0L, (long) LogFormat.HEADER_BYTES);
            }
        }
    }

    @Test
    void damagedSidecarIsRebuiltFromItsSegment() throws IOException {
        Path sidecar = Sidecar.pathFor(crashed, 0);
        byte[] original = LogFixtures.bytes(sidecar);
        for (int offset : new int[] {0, 5, 9, 17, 25, 33, 41, 44, 52, original.length - 1}) {
            Path dir = copy();
            LogFixtures.flipByte(Sidecar.pathFor(dir, 0), offset);
            assertRecovers(dir, HEAD);
            assertThat(LogFixtures.bytes(Sidecar.pathFor(dir, 0))).isEqualTo(original);
        }
        Path dir = copy();
        LogFixtures.truncate(Sidecar.pathFor(dir, 0), 10);
        assertRecovers(dir, HEAD);
        assertThat(LogFixtures.bytes(Sidecar.pathFor(dir, 0))).isEqualTo(original);
    }

    @Test
    void damagedCheckpointIsRefusedAtEveryByte() throws IOException {
        for (int offset = 0; offset < Checkpoint.BYTES; offset++) {
            Path dir = copy();
            Path file = dir.resolve(LogFormat.CHECKPOINT_FILE);
            LogFixtures.flipByte(file, offset);
            CorruptStoreException corrupt = (CorruptStoreException)
                    catchRefusal(() -> SegmentedLog.open(dir, OPTIONS).close());
            assertThat(corrupt.file()).isEqualTo(file);
            assertThat(corrupt.offset()).isBetween(0L, (long) Checkpoint.BYTES);
        }
    }

    @Test
    void checkpointPastTheEndOfTheFileIsRefused() throws IOException {
        long checkpointFrame = checkpoint(crashed).frameOffset();
        for (long cut : new long[] {checkpointFrame, checkpointFrame + 5, checkpointFrame + 30}) {
            Path dir = copy();
            Path segment = LogFixtures.lastSegment(dir);
            LogFixtures.truncate(segment, cut);
            assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), segment, checkpointFrame);
        }
    }

    @Test
    void checkpointNamingAMissingSegmentIsRefusedNamingTheSegment() throws IOException {
        Path dir = copy();
        new Checkpoint(5, 777, 32).write(FileIo.system(), dir);
        Path missing = dir.resolve(LogFormat.segmentFileName(777));
        assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), missing, 0)
                .hasMessageContaining("missing")
                .hasMessageContaining(LogFormat.CHECKPOINT_FILE);
    }

    @Test
    void missingCheckpointScansEverythingAndRecovers() throws IOException {
        Path dir = copy();
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        Files.delete(Sidecar.pathFor(dir, 0));
        LogFixtures.cutData(LogFixtures.lastSegment(dir), LogFixtures.dataEnd(LogFixtures.lastSegment(dir)) - 7);
        assertRecovers(dir, HEAD - 2);
        assertThat(checkpoint(dir).position()).isEqualTo(HEAD - 2);
        assertThat(Sidecar.pathFor(dir, 0)).exists();
    }

    @Test
    void segmentCreationTornByACrashIsCompleted() throws IOException {
        for (int length : new int[] {0, 10, 31}) {
            Path dir = copy();
            // The roll that was creating the torn segment had cut the previous one to its data end.
            Path previous = LogFixtures.lastSegment(dir);
            LogFixtures.truncate(previous, LogFixtures.dataEnd(previous));
            Path torn = dir.resolve(LogFormat.segmentFileName(HEAD + 1));
            Files.write(torn, Arrays.copyOf(LogFormat.encodeHeader(HEAD + 1).array(), length));
            try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
                assertThat(log.segmentCount()).isEqualTo(4);
                assertThat(log.durablePosition()).isEqualTo(HEAD);
                appendFlushed(log, 2);
            }
            assertRecovers(dir, HEAD + 2);
            assertThat(Files.size(torn)).isGreaterThan(LogFormat.HEADER_BYTES);
        }
    }

    @Test
    void missingFirstSegmentIsRefusedNamingIt() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        Files.delete(files.get(0));
        assertRefusedUnchanged(dir, files.get(0), 0)
                .hasMessageContaining("missing")
                .hasMessageContaining("starts at position 0")
                .hasMessageContaining(files.get(1).getFileName().toString());
    }

    @Test
    void missingMiddleSegmentIsRefusedNamingIt() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        Files.delete(files.get(1));
        long first = firstPositionOf(files.get(1));
        assertRefusedUnchanged(dir, files.get(1), 0)
                .hasMessageContaining("missing")
                .hasMessageContaining("positions " + first + ".." + (firstPositionOf(files.get(2)) - 1))
                .hasMessageContaining(files.get(2).getFileName().toString());
    }

    @Test
    void missingLastSegmentIsRefusedNamingIt() throws IOException {
        Path dir = copy();
        Path last = LogFixtures.lastSegment(dir);
        Files.delete(last);
        assertRefusedUnchanged(dir, last, 0).hasMessageContaining("missing").hasMessageContaining("checkpoint");
    }

    @Test
    void lossOfASegmentIsRefusedFromItsFirstAcknowledgedFrameOn() throws IOException {
        // The clock never moves, so no flush checkpoints because a second has passed: only the rule
        // that the first flush into a segment checkpoints makes these losses visible.
        Path live = tmp.resolve("young");
        Path first = live.resolve(LogFormat.segmentFileName(0));
        List<Path> copies = new ArrayList<>();
        try (SegmentedLog log = SegmentedLog.open(live, OPTIONS, new TestIo(), () -> 0)) {
            appendFlushed(log, 1);
            copies.add(LogFixtures.crashCopy(live, tmp.resolve("young-1")));
            while (log.segmentCount() < 2) {
                appendFlushed(log, 2);
            }
            copies.add(LogFixtures.crashCopy(live, tmp.resolve("young-2")));
        }
        // One acknowledged frame in the only segment: the directory must not become a new, empty log.
        Path dir = copies.get(0);
        Files.delete(dir.resolve(first.getFileName()));
        assertRefusedUnchanged(dir, dir.resolve(first.getFileName()), 0).hasMessageContaining("missing");
        // One acknowledged frame in a new segment: not to be mistaken for a crash right after sealing.
        dir = copies.get(1);
        Path newest = LogFixtures.lastSegment(dir);
        assertThat(LogFixtures.frameOffsets(newest)).hasSize(1);
        Files.delete(newest);
        assertRefusedUnchanged(dir, newest, 0).hasMessageContaining("missing");
    }

    @Test
    void noSegmentAtAllIsRefusedWhileAnythingShowsTheLogHeldEvents() throws IOException {
        Path dir = copy();
        for (Path file : LogFixtures.segmentFiles(dir)) {
            Files.delete(file);
        }
        Path first = dir.resolve(LogFormat.segmentFileName(0));
        assertRefusedUnchanged(dir, first, 0).hasMessageContaining("missing");
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        assertRefusedUnchanged(dir, first, 0)
                .hasMessageContaining(Sidecar.pathFor(dir, 0).getFileName().toString());
        // Without any trace of earlier events the directory is a new, empty log.
        try (Stream<Path> sidecars = Files.list(dir)) {
            for (Path sidecar : sidecars.toList()) {
                Files.delete(sidecar);
            }
        }
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.durablePosition()).isEqualTo(-1);
        }
    }

    @Test
    void segmentCutBelowItsHeaderIsRefusedAndLeftAsItIs() throws IOException {
        for (int segment = 0; segment < 3; segment++) {
            for (int length : new int[] {0, 1, LogFormat.HEADER_BYTES - 1}) {
                Path dir = copy();
                Path file = LogFixtures.segmentFiles(dir).get(segment);
                LogFixtures.truncate(file, length);
                // The last segment too: the checkpoint names a frame in it, so this is not a segment
                // creation torn by a crash, and its header must not be rewritten.
                assertRefusedUnchanged(dir, file, length)
                        .hasMessageContaining("segment header is " + length + " bytes");
            }
        }
    }

    @Test
    void sealedLastSegmentCutBelowItsHeaderIsRefusedEvenWithoutACheckpoint() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        // The state a crash right after sealing segment 1 leaves, except that segment 1 is then cut:
        // its sidecar shows it held frames, so a short file is damage, not an interrupted creation.
        Files.delete(files.get(2));
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        LogFixtures.truncate(files.get(1), 0);
        assertRefusedUnchanged(dir, files.get(1), 0);
    }

    @Test
    void sealedSegmentCutAtAFrameBoundaryIsRefusedNamingIt() throws IOException {
        Path dir = copy();
        Path sealed = LogFixtures.segmentFiles(dir).get(1);
        List<Long> frames = LogFixtures.frameOffsets(sealed);
        long cut = frames.get(frames.size() - 2);
        LogFixtures.truncate(sealed, cut);
        assertRefusedUnchanged(dir, sealed, cut).hasMessageContaining("cut short");
    }

    @Test
    void segmentRenamedToAWrongFirstPositionIsRefusedNamingTheRenamedFile() throws IOException {
        for (long shift : new long[] {-1, 1, 5}) {
            Path dir = copy();
            Path original = LogFixtures.segmentFiles(dir).get(1);
            Path renamed = dir.resolve(LogFormat.segmentFileName(firstPositionOf(original) + shift));
            Files.move(original, renamed);
            assertRefusedUnchanged(dir, renamed, 8)
                    .hasMessageContaining(original.getFileName().toString());
        }
    }

    @Test
    void segmentRenamedToANameThatIsNoSegmentNameIsRefusedAsMissing() throws IOException {
        for (int segment = 0; segment < 3; segment++) {
            Path dir = copy();
            Path original = LogFixtures.segmentFiles(dir).get(segment);
            Files.move(original, original.resolveSibling(original.getFileName() + ".bak"));
            assertRefusedUnchanged(dir, original, 0).hasMessageContaining("missing");
        }
    }

    // ---- the persisted log start ----

    @Test
    void persistedStartLetsTheLogBeginAtALaterSegment() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        long start = firstPositionOf(files.get(1));
        new LogStart(start).write(FileIo.system(), dir);
        Files.delete(files.get(0));
        Files.delete(Sidecar.pathFor(dir, 0));
        assertOpensFrom(dir, start);
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    @Test
    void segmentsBeforeThePersistedStartAreIgnoredAndKept() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        long start = firstPositionOf(files.get(1));
        new LogStart(start).write(FileIo.system(), dir);
        byte[] leftover = LogFixtures.bytes(files.get(0));
        assertOpensFrom(dir, start);
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
        assertThat(LogFixtures.bytes(files.get(0))).isEqualTo(leftover);
    }

    @Test
    void missingSegmentAtThePersistedStartIsRefusedNamingIt() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        new LogStart(firstPositionOf(files.get(1))).write(FileIo.system(), dir);
        Files.delete(files.get(1));
        assertRefusedUnchanged(dir, files.get(1), 0)
                .hasMessageContaining("missing")
                .hasMessageContaining(LogFormat.LOG_START_FILE);
    }

    @Test
    void damagedLogStartIsRefusedAtEveryByte() throws IOException {
        for (int offset = 0; offset < LogStart.BYTES; offset++) {
            Path dir = copy();
            new LogStart(0).write(FileIo.system(), dir);
            Path file = LogStart.pathIn(dir);
            LogFixtures.flipByte(file, offset);
            CorruptStoreException corrupt = (CorruptStoreException)
                    catchRefusal(() -> SegmentedLog.open(dir, OPTIONS).close());
            assertThat(corrupt.file()).isEqualTo(file);
            assertThat(SegmentedLog.verify(dir).problems())
                    .extracting(VerifyReport.Problem::file)
                    .containsExactly(file);
        }
    }

    @Test
    void logStartOfZeroChangesNothing() throws IOException {
        Path dir = copy();
        new LogStart(0).write(FileIo.system(), dir);
        assertRecovers(dir, HEAD);
    }

    // ---- helpers ----

    private Path copy() throws IOException {
        return LogFixtures.crashCopy(crashed, tmp.resolve("copy-" + copies++));
    }

    /** Opens, checks the records are exactly 0..head, appends one frame, and checks reopen and verify. */
    private static void assertRecovers(Path dir, long head) throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.durablePosition()).isEqualTo(head);
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(0, (int) head + 1));
            assertThat(log.readBackward(Long.MAX_VALUE, 3)).hasSize(3);
        }
        assertThat(SegmentedLog.verify(dir).problems()).isEmpty();
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(
            ThrowingCallable call, Path file, long offset) {
        return assertThatThrownBy(call)
                .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.offset()).isEqualTo(offset);
                })
                .hasMessageContaining(file.toString());
    }

    /**
     * Open refuses naming {@code file}, changes no file while doing so (a refusal must leave the
     * evidence as it was), and verify reports a problem in that file.
     */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefusedUnchanged(
            Path dir, Path file, long offset) throws IOException {
        Map<Path, byte[]> before = snapshot(dir);
        AbstractThrowableAssert<?, ? extends Throwable> refused =
                assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), file, offset);
        Map<Path, byte[]> after = snapshot(dir);
        assertThat(after).containsOnlyKeys(before.keySet());
        before.forEach(
                (path, bytes) -> assertThat(after.get(path)).as("%s", path).isEqualTo(bytes));
        assertThat(SegmentedLog.verify(dir).problems())
                .extracting(VerifyReport.Problem::file)
                .contains(file);
        return refused;
    }

    /** Opens a log that starts at {@code start} and checks it holds exactly start..HEAD and appends. */
    private static void assertOpensFrom(Path dir, long start) throws IOException {
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.durablePosition()).isEqualTo(HEAD);
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThat(log.readForward(0, 1000)).containsExactlyElementsOf(events(start, (int) (HEAD - start + 1)));
            appendFlushed(log, 2);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, OPTIONS)) {
            assertThat(log.readBackward(Long.MAX_VALUE, 1000)).hasSize((int) (HEAD + 2 - start + 1));
        }
    }

    private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
        Map<Path, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(file -> files.put(file, LogFixtures.bytes(file)));
        }
        return files;
    }

    private static Throwable catchRefusal(ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(CorruptStoreException.class);
        return thrown;
    }

    private static Checkpoint checkpoint(Path dir) throws IOException {
        return ((Checkpoint.Loaded.Present) Checkpoint.read(FileIo.system(), dir)).checkpoint();
    }

    private static long firstPositionOf(Path segment) {
        return LogFormat.parseSegmentFileName(segment.getFileName().toString()).getAsLong();
    }

    /** Offsets of the frames after the checkpoint frame in the last segment. */
    private static List<Long> tailFrameOffsets(Path dir) throws IOException {
        long checkpointFrame = checkpoint(dir).frameOffset();
        return LogFixtures.frameOffsets(LogFixtures.lastSegment(dir)).stream()
                .filter(offset -> offset > checkpointFrame)
                .toList();
    }
}
