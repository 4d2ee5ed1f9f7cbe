package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFixtures.appendFlushed;
import static io.factum.engine.internal.log.LogFixtures.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.engine.CorruptStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
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
        try (SegmentedLog log = SegmentedLog.open(live, OPTIONS, io)) {
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
        long size = Files.size(LogFixtures.lastSegment(crashed));
        assertThat(size - lastFrame).isGreaterThan(30);
        for (long cut = lastFrame; cut < size; cut++) {
            Path dir = copy();
            Path segment = LogFixtures.lastSegment(dir);
            LogFixtures.truncate(segment, cut);
            assertRecovers(dir, HEAD - 2);
            assertThat(Files.size(segment)).as("cut at %d", cut).isEqualTo(lastFrame);
        }
    }

    @Test
    void cutAnywhereInTheTailKeepsTheWholeFramesBeforeTheCut() throws IOException {
        List<Long> tail = tailFrameOffsets(crashed);
        long tailStart = tail.get(0);
        long size = Files.size(LogFixtures.lastSegment(crashed));
        Random random = new Random(42);
        for (int i = 0; i < 40; i++) {
            long cut = tailStart + random.nextLong(size - tailStart);
            long wholeFrames = tail.stream().filter(offset -> offset < cut).count() - 1;
            wholeFrames += tail.stream().filter(offset -> offset == cut).count();
            Path dir = copy();
            LogFixtures.truncate(LogFixtures.lastSegment(dir), cut);
            assertRecovers(dir, CHECKPOINT_POSITION + 2 * wholeFrames);
        }
    }

    @Test
    void garbageAfterTheTailIsTruncated() throws IOException {
        Path dir = copy();
        Path segment = LogFixtures.lastSegment(dir);
        long size = Files.size(segment);
        byte[] garbage = new byte[5000];
        new Random(3).nextBytes(garbage);
        LogFixtures.appendBytes(segment, garbage);
        LogFixtures.appendBytes(segment, new byte[4096]);
        assertRecovers(dir, HEAD);
        assertThat(Files.size(segment)).isEqualTo(size);
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
            assertRefused(() -> log.read(firstOfFrame), segment, frame);
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
            assertRefused(() -> log.read(6), sealed, frame);
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
    void checkpointNamingAMissingSegmentIsRefused() throws IOException {
        Path dir = copy();
        new Checkpoint(5, 777, 32).write(LogIo.SYSTEM, dir);
        assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), dir.resolve(LogFormat.CHECKPOINT_FILE), 16);
    }

    @Test
    void missingCheckpointScansEverythingAndRecovers() throws IOException {
        Path dir = copy();
        Files.delete(dir.resolve(LogFormat.CHECKPOINT_FILE));
        Files.delete(Sidecar.pathFor(dir, 0));
        LogFixtures.truncate(LogFixtures.lastSegment(dir), Files.size(LogFixtures.lastSegment(dir)) - 7);
        assertRecovers(dir, HEAD - 2);
        assertThat(checkpoint(dir).position()).isEqualTo(HEAD - 2);
        assertThat(Sidecar.pathFor(dir, 0)).exists();
    }

    @Test
    void segmentCreationTornByACrashIsCompleted() throws IOException {
        for (int length : new int[] {0, 10, 31}) {
            Path dir = copy();
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
    void missingMiddleSegmentIsRefused() throws IOException {
        Path dir = copy();
        List<Path> files = LogFixtures.segmentFiles(dir);
        Files.delete(files.get(1));
        assertRefused(() -> SegmentedLog.open(dir, OPTIONS).close(), files.get(2), 8);
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

    private static void assertRefused(ThrowingCallable call, Path file, long offset) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(CorruptStoreException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.offset()).isEqualTo(offset);
                })
                .hasMessageContaining(file.toString());
    }

    private static Throwable catchRefusal(ThrowingCallable call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(CorruptStoreException.class);
        return thrown;
    }

    private static Checkpoint checkpoint(Path dir) throws IOException {
        return ((Checkpoint.Loaded.Present) Checkpoint.read(LogIo.SYSTEM, dir)).checkpoint();
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
