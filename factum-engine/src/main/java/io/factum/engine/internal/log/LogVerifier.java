package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFormat.HEADER_BYTES;

import io.factum.engine.FileIo;
import io.factum.engine.VerifyReport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a closed log directory without changing it: every segment header, every frame (CRC32C,
 * structure, dense positions across segments), every sidecar against the scan of its segment, and
 * the checkpoint against the frame it names. After a damaged frame it resynchronises at the next
 * valid frame, so one report lists every damaged place. Single-threaded.
 */
final class LogVerifier {
    private final Path dir;
    private final FileIo io;
    private final List<VerifyReport.Problem> problems = new ArrayList<>();
    private long frames;
    private long records;

    private LogVerifier(Path dir, FileIo io) {
        this.dir = dir;
        this.io = io;
    }

    static LogVerification verify(Path dir, FileIo io) throws IOException {
        if (!io.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a log directory");
        }
        return new LogVerifier(dir, io).run();
    }

    /** What the scan of one segment found. */
    private record SegmentScan(boolean sound, long lastPosition, long lastFrameOffset, SparseIndex index) {}

    private LogVerification run() throws IOException {
        List<LogRecovery.SegmentFile> all = LogRecovery.listSegments(io, dir);
        SegmentChain.Start start = readStart(all);
        List<LogRecovery.SegmentFile> files = SegmentChain.live(all, start);
        if (files.isEmpty()) {
            SegmentChain.checkEmpty(io, dir, start).ifPresent(this::report);
        } else {
            SegmentChain.checkFirst(dir, start, files.get(0)).ifPresent(this::report);
        }
        Optional<SegmentChain.Ending> previous = Optional.empty();
        for (int i = 0; i < files.size(); i++) {
            LogRecovery.SegmentFile file = files.get(i);
            boolean last = i == files.size() - 1;
            try (FileChannel channel = io.open(file.path(), StandardOpenOption.READ)) {
                long size = channel.size();
                LogFormat.checkHeader(file.path(), LogFiles.readUpTo(channel, 0, HEADER_BYTES), file.firstPosition())
                        .ifPresent(this::report);
                if (previous.isPresent()) {
                    SegmentChain.checkNext(dir, previous.get(), file).ifPresent(this::report);
                }
                SegmentScan scan = scanFrames(file, channel, size, last);
                boolean confirmed = !last && checkSidecar(file, size, scan);
                previous = Optional.of(new SegmentChain.Ending(file, scan.lastPosition(), size, confirmed));
            }
        }
        checkCheckpoint(files);
        return new LogVerification(files.size(), frames, records, problems);
    }

    /**
     * The persisted log start, or 0 without one. A damaged file is reported, and the oldest segment
     * is then taken as the start, so that its damage does not also make every segment look missing.
     */
    private SegmentChain.Start readStart(List<LogRecovery.SegmentFile> files) throws IOException {
        LogStart.Loaded loaded = LogStart.read(io, dir);
        if (loaded instanceof LogStart.Loaded.Damaged damaged) {
            report(damaged.damage());
            long oldest = files.isEmpty() ? 0 : files.get(0).firstPosition();
            return new SegmentChain.Start(
                    oldest, LogFormat.LOG_START_FILE + " is damaged: assuming the oldest segment");
        }
        return SegmentChain.Start.of(dir, loaded);
    }

    private SegmentScan scanFrames(LogRecovery.SegmentFile file, FileChannel channel, long size, boolean last)
            throws IOException {
        SparseIndex index = new SparseIndex();
        long expected = file.firstPosition();
        long lastFrameOffset = -1;
        boolean sound = true;
        FrameCursor cursor = new FrameCursor(file.path(), channel::read, HEADER_BYTES, size, Segment.SCAN_CHUNK_BYTES);
        while (true) {
            FrameCursor.Status status = cursor.next(FrameCursor.Mode.CHECKED);
            if (status == FrameCursor.Status.END) {
                break;
            }
            if (status == FrameCursor.Status.FRAME && cursor.firstPosition() == expected) {
                index.addIfDue(expected, cursor.frameOffset());
                frames++;
                records += cursor.recordCount();
                lastFrameOffset = cursor.frameOffset();
                expected = cursor.lastPosition() + 1;
                continue;
            }
            long bad = cursor.frameOffset();
            String why = status == FrameCursor.Status.INVALID
                    ? cursor.problem()
                    : "frame starts at position " + cursor.firstPosition() + ", expected " + expected;
            Optional<FrameSearch.Found> next;
            long tailBytes = size - bad;
            if (last) {
                // The last segment is preallocated: zeros where a frame would start are the clean end
                // of its data, and the search stops after 1 MiB of zeros, as recovery's does.
                FrameSearch.Tail tail =
                        FrameSearch.searchTail(file.path(), channel, bad, bad + 1, size, Long.MIN_VALUE);
                next = tail.found();
                tailBytes = tail.nonZeroEnd() - bad;
                if (next.isEmpty() && tailBytes == 0) {
                    break;
                }
            } else {
                next = FrameSearch.findValidFrame(file.path(), channel, bad + 1, size, Long.MIN_VALUE);
            }
            sound = false;
            if (next.isEmpty()) {
                report(new Damage(file.path(), bad, tailProblem(why, tailBytes, last)));
                break;
            }
            report(new Damage(
                    file.path(),
                    bad,
                    why + "; the next valid frame is at offset " + next.get().offset() + " and starts at position "
                            + next.get().firstPosition()));
            cursor = new FrameCursor(file.path(), channel::read, next.get().offset(), size, Segment.SCAN_CHUNK_BYTES);
            expected = next.get().firstPosition();
        }
        if (lastFrameOffset < 0 && !last) {
            report(new Damage(file.path(), HEADER_BYTES, "sealed segment holds no valid frame"));
            sound = false;
        }
        return new SegmentScan(sound, expected - 1, lastFrameOffset, index);
    }

    private static String tailProblem(String why, long bytes, boolean last) {
        return last
                ? why + "; no valid frame follows: a torn tail of " + bytes + " bytes that opening the log zeroes"
                : why + "; the remaining " + bytes + " bytes of the sealed segment hold no valid frame";
    }

    /**
     * Checks a sealed segment's sidecar against the scan of the segment.
     *
     * @return whether a valid sidecar confirms the segment's last position
     */
    private boolean checkSidecar(LogRecovery.SegmentFile file, long size, SegmentScan scan) throws IOException {
        switch (Sidecar.read(io, dir, file.firstPosition(), size)) {
            case Sidecar.Loaded.Absent absent -> {
                // Not damage: opening the log rebuilds a missing sidecar.
                return false;
            }
            case Sidecar.Loaded.Damaged damaged -> {
                report(damaged.damage());
                return false;
            }
            case Sidecar.Loaded.Present present -> {
                Sidecar sidecar = present.sidecar();
                Path path = Sidecar.pathFor(dir, file.firstPosition());
                if (scan.sound()
                        && (sidecar.lastPosition() != scan.lastPosition()
                                || sidecar.lastFrameOffset() != scan.lastFrameOffset()
                                || !sidecar.index().sameEntries(scan.index().view()))) {
                    report(new Damage(
                            path,
                            16,
                            "sidecar disagrees with its segment (last position "
                                    + sidecar.lastPosition() + " vs " + scan.lastPosition() + ", "
                                    + sidecar.index().size() + " vs "
                                    + scan.index().size() + " index entries)"));
                }
                return sidecar.lastPosition() == scan.lastPosition();
            }
        }
    }

    private void checkCheckpoint(List<LogRecovery.SegmentFile> files) throws IOException {
        switch (Checkpoint.read(io, dir)) {
            case Checkpoint.Loaded.Absent absent -> {}
            case Checkpoint.Loaded.Damaged damaged -> report(damaged.damage());
            case Checkpoint.Loaded.Present present -> {
                Checkpoint checkpoint = present.checkpoint();
                Optional<LogRecovery.SegmentFile> segment = files.stream()
                        .filter(f -> f.firstPosition() == checkpoint.segmentFirstPosition())
                        .findFirst();
                if (segment.isEmpty()) {
                    report(SegmentChain.checkpointSegmentMissing(dir, checkpoint));
                    return;
                }
                checkCheckpointFrame(segment.get(), checkpoint);
            }
        }
    }

    private void checkCheckpointFrame(LogRecovery.SegmentFile segment, Checkpoint checkpoint) throws IOException {
        try (FileChannel channel = io.open(segment.path(), StandardOpenOption.READ)) {
            long size = channel.size();
            FrameCursor cursor = new FrameCursor(
                    segment.path(), channel::read, checkpoint.frameOffset(), size, Segment.POINT_CHUNK_BYTES);
            String vouched = "the checkpoint names a durable frame ending at position " + checkpoint.position();
            if (checkpoint.frameOffset() >= size) {
                report(new Damage(segment.path(), checkpoint.frameOffset(), vouched + ", past the end of the file"));
            } else if (cursor.next(FrameCursor.Mode.CHECKED) != FrameCursor.Status.FRAME) {
                report(new Damage(segment.path(), checkpoint.frameOffset(), vouched + ", but " + cursor.problem()));
            } else if (cursor.lastPosition() != checkpoint.position()) {
                report(new Damage(
                        segment.path(),
                        checkpoint.frameOffset(),
                        vouched + ", but the frame ends at " + cursor.lastPosition()));
            }
        }
    }

    /**
     * Adds a problem. A missing file can be found by two checks (a gap before the segment after it,
     * and the checkpoint naming it); it is reported once.
     */
    private void report(Damage damage) {
        VerifyReport.Problem problem = damage.asProblem();
        boolean repeat = !io.exists(problem.file())
                && problems.stream().anyMatch(p -> p.file().equals(problem.file()));
        if (!repeat) {
            problems.add(problem);
        }
    }
}
