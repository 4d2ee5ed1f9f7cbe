package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFormat.HEADER_BYTES;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Brings a log directory to a consistent state at open, by the rules in the Javadoc of {@link
 * SegmentedLog} ("Recovery"): sealed segments up to the checkpoint are trusted through their
 * sidecars; the last segment is walked up to the checkpoint frame and scanned with CRCs after it; a
 * torn tail is zeroed; damage to acknowledged data throws {@link
 * io.factum.engine.CorruptStoreException} naming the file and offset. The segments must form one
 * dense run from the log's start ({@link SegmentChain}); a missing segment is refused naming the
 * missing file. Runs once, on the opening thread.
 */
final class LogRecovery {
    private static final System.Logger LOG = System.getLogger(SegmentedLog.class.getName());
    private static final int RECOVERY_CHUNK_BYTES = 256 << 10;

    /** A segment file found in the directory. */
    record SegmentFile(Path path, long firstPosition) {}

    /**
     * One recovered segment. For an empty segment {@code lastPosition = firstPosition - 1} and
     * {@code lastFrameOffset = -1}.
     */
    record SegmentState(
            Path path, long firstPosition, SparseIndex index, long endOffset, long lastPosition, long lastFrameOffset) {

        boolean isEmpty() {
            return lastFrameOffset < 0;
        }
    }

    /** The recovered segments, oldest first, and the checkpoint now on disk. */
    record Recovered(List<SegmentState> segments, Optional<Checkpoint> checkpoint) {}

    private final Path dir;
    private final FileIo io;

    private LogRecovery(Path dir, FileIo io) {
        this.dir = dir;
        this.io = io;
    }

    static Recovered recover(Path dir, FileIo io) throws IOException {
        return new LogRecovery(dir, io).run();
    }

    private Recovered run() throws IOException {
        Recovered recovered = recoverSegments();
        // Only once recovery succeeded: a refused open leaves every file as it found it.
        deleteTemporaryFiles();
        return recovered;
    }

    private Recovered recoverSegments() throws IOException {
        SegmentChain.Start start = readStart();
        List<SegmentFile> all = listSegments(io, dir);
        List<SegmentFile> files = SegmentChain.live(all, start);
        if (files.size() < all.size()) {
            LOG.log(
                    Level.INFO,
                    "ignoring {0} segment file(s) before the log start in {1}: {2}",
                    String.valueOf(all.size() - files.size()),
                    dir,
                    start.describe());
        }
        if (files.isEmpty()) {
            Optional<Damage> missing = SegmentChain.checkEmpty(io, dir, start);
            if (missing.isPresent()) {
                throw missing.get().exception();
            }
            SegmentFile created = createSegment(io, dir, start.position());
            return new Recovered(List.of(emptyState(created)), Optional.empty());
        }
        Optional<Checkpoint> checkpoint = readCheckpoint(files);
        repairTornCreation(files.get(files.size() - 1), checkpoint);
        for (SegmentFile file : files) {
            checkHeader(file);
        }
        throwIfPresent(SegmentChain.checkFirst(dir, start, files.get(0)));
        List<SegmentState> states = new ArrayList<>(files.size());
        for (int i = 0; i < files.size() - 1; i++) {
            states.add(loadSealed(files.get(i), files.get(i + 1), checkpoint));
        }
        states.add(recoverLast(files.get(files.size() - 1), checkpoint));
        return new Recovered(states, refreshCheckpoint(states, checkpoint));
    }

    private static void throwIfPresent(Optional<Damage> damage) throws IOException {
        if (damage.isPresent()) {
            throw damage.get().exception();
        }
    }

    /** The persisted log start, or 0 when there is none; a damaged file is refused. */
    private SegmentChain.Start readStart() throws IOException {
        LogStart.Loaded loaded = LogStart.read(io, dir);
        if (loaded instanceof LogStart.Loaded.Damaged damaged) {
            throw damaged.damage().exception();
        }
        return SegmentChain.Start.of(dir, loaded);
    }

    // ---- directory and headers ----

    static List<SegmentFile> listSegments(FileIo io, Path dir) throws IOException {
        List<SegmentFile> files = new ArrayList<>();
        for (Path path : io.list(dir)) {
            OptionalLong first =
                    LogFormat.parseSegmentFileName(path.getFileName().toString());
            if (first.isPresent() && !io.isDirectory(path)) {
                files.add(new SegmentFile(path, first.getAsLong()));
            }
        }
        files.sort(Comparator.comparingLong(SegmentFile::firstPosition));
        return files;
    }

    /**
     * Creates a segment durably before anything is written into it: header, fsync of the file
     * including its metadata, fsync of the directory entry. Without the last two a crash could lose
     * the whole file even after frames in it were acknowledged.
     */
    static SegmentFile createSegment(FileIo io, Path dir, long firstPosition) throws IOException {
        Path path = dir.resolve(LogFormat.segmentFileName(firstPosition));
        try (FileChannel channel =
                io.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            LogFiles.writeFully(channel, LogFormat.encodeHeader(firstPosition), 0);
            channel.force(true);
        }
        io.fsyncDirectory(dir);
        return new SegmentFile(path, firstPosition);
    }

    private void deleteTemporaryFiles() throws IOException {
        for (Path path : io.list(dir)) {
            if (path.getFileName().toString().endsWith(LogFormat.TMP_SUFFIX)) {
                io.deleteIfExists(path);
            }
        }
    }

    /**
     * A crash while a segment was being created can leave the newest file without a complete
     * header. Nothing can have been acknowledged in it (frames go in only after the header is
     * fsynced), so when the file is no longer than a header it is rewritten; a longer file with a
     * bad header is damage and {@link #checkHeader} refuses it. So is a short file that held frames
     * for sure: one the checkpoint names, or one with a sidecar (it was sealed); rewriting its header
     * would hide that its frames are gone.
     */
    private void repairTornCreation(SegmentFile last, Optional<Checkpoint> checkpoint) throws IOException {
        if (checkpoint.isPresent() && checkpoint.get().segmentFirstPosition() == last.firstPosition()
                || io.exists(Sidecar.pathFor(dir, last.firstPosition()))) {
            return;
        }
        try (FileChannel channel = io.open(last.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (channel.size() > HEADER_BYTES) {
                return;
            }
            if (LogFormat.checkHeader(last.path(), LogFiles.readUpTo(channel, 0, HEADER_BYTES), last.firstPosition())
                    .isEmpty()) {
                return;
            }
            LOG.log(Level.WARNING, "rewriting the incomplete header of {0} (a crash during segment creation)", last);
            channel.truncate(0);
            LogFiles.writeFully(channel, LogFormat.encodeHeader(last.firstPosition()), 0);
            channel.force(true);
        }
    }

    private void checkHeader(SegmentFile file) throws IOException {
        try (FileChannel channel = io.open(file.path(), StandardOpenOption.READ)) {
            Optional<Damage> damage = LogFormat.checkHeader(
                    file.path(), LogFiles.readUpTo(channel, 0, HEADER_BYTES), file.firstPosition());
            if (damage.isPresent()) {
                throw damage.get().exception();
            }
        }
    }

    private Optional<Checkpoint> readCheckpoint(List<SegmentFile> files) throws IOException {
        return switch (Checkpoint.read(io, dir)) {
            case Checkpoint.Loaded.Absent absent -> {
                LOG.log(Level.INFO, "no checkpoint in {0}: scanning every segment", dir);
                yield Optional.empty();
            }
            case Checkpoint.Loaded.Damaged damaged -> throw damaged.damage().exception();
            case Checkpoint.Loaded.Present present -> {
                Checkpoint checkpoint = present.checkpoint();
                if (files.stream().noneMatch(f -> f.firstPosition() == checkpoint.segmentFirstPosition())) {
                    throw SegmentChain.checkpointSegmentMissing(dir, checkpoint).exception();
                }
                yield Optional.of(checkpoint);
            }
        };
    }

    // ---- sealed segments ----

    /**
     * Loads a sealed segment, and checks that {@code next} continues it before a rebuilt sidecar is
     * written: a sidecar rewritten from a segment that was cut short would no longer show that.
     */
    private SegmentState loadSealed(SegmentFile file, SegmentFile next, Optional<Checkpoint> checkpoint)
            throws IOException {
        long size = io.size(file.path());
        boolean trusted = checkpoint.isPresent()
                && file.firstPosition() <= checkpoint.get().segmentFirstPosition();
        Sidecar.Loaded sidecar = Sidecar.read(io, dir, file.firstPosition(), size);
        SegmentState state;
        if (trusted && sidecar instanceof Sidecar.Loaded.Present present) {
            state = fromSidecar(file, present.sidecar());
            throwIfPresent(SegmentChain.checkNext(dir, ending(state, true), next));
        } else {
            if (trusted) {
                LOG.log(Level.INFO, "sidecar of sealed segment {0} {1}: rebuilding it", file.path(), describe(sidecar));
            } else {
                LOG.log(Level.INFO, "scanning sealed segment {0}: no checkpoint covers it", file.path());
            }
            state = scanSealed(io, file, size);
            boolean confirmed = sidecar instanceof Sidecar.Loaded.Present present
                    && present.sidecar().lastPosition() == state.lastPosition();
            throwIfPresent(SegmentChain.checkNext(dir, ending(state, confirmed), next));
            if (!matches(sidecar, state)) {
                new Sidecar(
                                file.firstPosition(),
                                state.lastPosition(),
                                size,
                                state.lastFrameOffset(),
                                state.index().view())
                        .write(io, dir);
            }
        }
        if (checkpoint.isPresent() && checkpoint.get().segmentFirstPosition() == file.firstPosition()) {
            checkCheckpointFrame(file, checkpoint.get(), size);
        }
        return state;
    }

    private static SegmentChain.Ending ending(SegmentState state, boolean confirmed) {
        return new SegmentChain.Ending(
                new SegmentFile(state.path(), state.firstPosition()),
                state.lastPosition(),
                state.endOffset(),
                confirmed);
    }

    private static String describe(Sidecar.Loaded sidecar) {
        return sidecar instanceof Sidecar.Loaded.Damaged damaged ? "is damaged: " + damaged.damage() : "is missing";
    }

    /** Whether the sidecar on disk already says exactly what a scan of its segment found. */
    private static boolean matches(Sidecar.Loaded loaded, SegmentState state) {
        return loaded instanceof Sidecar.Loaded.Present present
                && present.sidecar().lastPosition() == state.lastPosition()
                && present.sidecar().lastFrameOffset() == state.lastFrameOffset()
                && present.sidecar().index().sameEntries(state.index().view());
    }

    private static SegmentState fromSidecar(SegmentFile file, Sidecar sidecar) {
        SparseIndex index = new SparseIndex();
        SparseIndex.View view = sidecar.index();
        for (int i = 0; i < view.size(); i++) {
            index.add(view.position(i), view.offset(i));
        }
        return new SegmentState(
                file.path(),
                file.firstPosition(),
                index,
                sidecar.endOffset(),
                sidecar.lastPosition(),
                sidecar.lastFrameOffset());
    }

    /** Checks every frame of a sealed segment; any invalid frame is damage (it was fsynced at seal). */
    static SegmentState scanSealed(FileIo io, SegmentFile file, long size) throws IOException {
        try (FileChannel channel = io.open(file.path(), StandardOpenOption.READ)) {
            FrameCursor cursor =
                    new FrameCursor(file.path(), channel::read, HEADER_BYTES, size, Segment.SCAN_CHUNK_BYTES);
            SparseIndex index = new SparseIndex();
            long expected = file.firstPosition();
            long lastFrameOffset = -1;
            FrameCursor.Status status;
            while ((status = cursor.next(FrameCursor.Mode.CHECKED)) != FrameCursor.Status.END) {
                if (status == FrameCursor.Status.INVALID) {
                    throw cursor.corruption("in a sealed segment: " + cursor.problem());
                }
                if (cursor.firstPosition() != expected) {
                    throw cursor.corruption(
                            "frame starts at position " + cursor.firstPosition() + ", expected " + expected);
                }
                index.addIfDue(expected, cursor.frameOffset());
                lastFrameOffset = cursor.frameOffset();
                expected = cursor.lastPosition() + 1;
            }
            if (lastFrameOffset < 0) {
                throw new Damage(file.path(), HEADER_BYTES, "sealed segment holds no frame").exception();
            }
            return new SegmentState(file.path(), file.firstPosition(), index, size, expected - 1, lastFrameOffset);
        }
    }

    /** The checkpoint must name a frame that is whole and ends with the checkpoint's position. */
    private void checkCheckpointFrame(SegmentFile file, Checkpoint checkpoint, long size) throws IOException {
        try (FileChannel channel = io.open(file.path(), StandardOpenOption.READ)) {
            FrameCursor cursor = new FrameCursor(
                    file.path(), channel::read, checkpoint.frameOffset(), size, Segment.POINT_CHUNK_BYTES);
            checkCheckpointFrame(file.path(), cursor, checkpoint, size);
        }
    }

    private static void checkCheckpointFrame(Path file, FrameCursor cursor, Checkpoint checkpoint, long size)
            throws IOException {
        String vouched = "the checkpoint names a durable frame ending at position " + checkpoint.position() + " here";
        if (checkpoint.frameOffset() >= size) {
            throw new Damage(file, checkpoint.frameOffset(), vouched + ", but the file is only " + size + " bytes long")
                    .exception();
        }
        FrameCursor.Status status = cursor.next(FrameCursor.Mode.CHECKED);
        if (status != FrameCursor.Status.FRAME) {
            throw cursor.corruption(vouched + ", but " + cursor.problem());
        }
        if (cursor.lastPosition() != checkpoint.position()) {
            throw cursor.corruption(vouched + ", but the frame holds positions " + cursor.firstPosition() + ".."
                    + cursor.lastPosition());
        }
    }

    // ---- the last segment ----

    private SegmentState recoverLast(SegmentFile file, Optional<Checkpoint> checkpoint) throws IOException {
        Path staleSidecar = Sidecar.pathFor(dir, file.firstPosition());
        if (io.deleteIfExists(staleSidecar)) {
            LOG.log(
                    Level.INFO,
                    "deleted sidecar {0} of the active segment (a crash right after sealing)",
                    staleSidecar);
        }
        try (FileChannel channel = io.open(file.path(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            TailState tail = new TailState(new SparseIndex(), HEADER_BYTES, file.firstPosition(), -1);
            if (checkpoint.isPresent() && checkpoint.get().segmentFirstPosition() == file.firstPosition()) {
                tail = walkTrusted(file, channel, checkpoint.get(), size);
            }
            long end = scanTail(file, channel, tail, size);
            // Frames found after the checkpoint may still be only in the page cache (a process crash):
            // make them durable before readers may see them and before a new checkpoint names them.
            channel.force(true);
            return new SegmentState(
                    file.path(), file.firstPosition(), tail.index, end, tail.expected - 1, tail.lastFrameOffset);
        }
    }

    /** Mutable progress through the last segment. */
    private static final class TailState {
        final SparseIndex index;
        long offset;
        long expected;
        long lastFrameOffset;

        TailState(SparseIndex index, long offset, long expected, long lastFrameOffset) {
            this.index = index;
            this.offset = offset;
            this.expected = expected;
            this.lastFrameOffset = lastFrameOffset;
        }

        void accept(FrameCursor cursor) {
            index.addIfDue(cursor.firstPosition(), cursor.frameOffset());
            lastFrameOffset = cursor.frameOffset();
            expected = cursor.lastPosition() + 1;
            offset = cursor.frameEnd();
        }
    }

    /**
     * Walks frame headers from the segment header up to the checkpoint frame (no CRCs: this region was
     * durable when the checkpoint was written), then checks the checkpoint frame itself completely.
     */
    private static TailState walkTrusted(SegmentFile file, FileChannel channel, Checkpoint checkpoint, long size)
            throws IOException {
        TailState state = new TailState(new SparseIndex(), HEADER_BYTES, file.firstPosition(), -1);
        long walkEnd = Math.min(checkpoint.frameOffset(), size);
        FrameCursor walk = new FrameCursor(file.path(), channel::read, HEADER_BYTES, walkEnd, RECOVERY_CHUNK_BYTES);
        FrameCursor.Status status;
        while ((status = walk.next(FrameCursor.Mode.WALK)) != FrameCursor.Status.END) {
            if (status == FrameCursor.Status.INVALID || walk.firstPosition() != state.expected) {
                String why = status == FrameCursor.Status.INVALID
                        ? walk.problem()
                        : "frame starts at position " + walk.firstPosition() + ", expected " + state.expected;
                throw walk.corruption("before the checkpoint (acknowledged data): " + why);
            }
            state.accept(walk);
        }
        FrameCursor frame =
                new FrameCursor(file.path(), channel::read, checkpoint.frameOffset(), size, Segment.POINT_CHUNK_BYTES);
        checkCheckpointFrame(file.path(), frame, checkpoint, size);
        if (frame.firstPosition() != state.expected) {
            throw frame.corruption(
                    "checkpoint frame starts at position " + frame.firstPosition() + ", expected " + state.expected);
        }
        state.accept(frame);
        return state;
    }

    /**
     * Checks every frame after {@code state.offset}. The data ends at the end of the file or where a
     * frame would start but does not: the file is preallocated with zeros, so the clean end of the
     * data is a zero frame magic followed by zeros. At the first invalid frame, the bytes after it
     * are searched for a valid frame with the expected position or a later one ({@link
     * FrameSearch#searchTail}, which stops after 1 MiB of zeros): when one exists, the writer went
     * on after this frame, so it was once whole and acknowledged: damage, refused. Otherwise the data
     * ends there; non-zero bytes after it are a torn write the crash interrupted and are overwritten
     * with zeros (not truncated: the file keeps its preallocated size), so the next open finds the
     * same clean end.
     *
     * @return the segment's data end after recovery
     */
    private static long scanTail(SegmentFile file, FileChannel channel, TailState state, long size) throws IOException {
        FrameCursor cursor = new FrameCursor(file.path(), channel::read, state.offset, size, RECOVERY_CHUNK_BYTES);
        while (true) {
            FrameCursor.Status status = cursor.next(FrameCursor.Mode.CHECKED);
            if (status == FrameCursor.Status.END) {
                return size;
            }
            if (status == FrameCursor.Status.FRAME && cursor.firstPosition() == state.expected) {
                state.accept(cursor);
                continue;
            }
            long bad = cursor.frameOffset();
            String why = status == FrameCursor.Status.INVALID
                    ? cursor.problem()
                    : "frame starts at position " + cursor.firstPosition() + ", expected " + state.expected;
            FrameSearch.Tail tail = FrameSearch.searchTail(file.path(), channel, bad, size, state.expected);
            if (tail.found().isPresent()) {
                FrameSearch.Found later = tail.found().get();
                throw cursor.corruption(why + "; a valid frame for positions " + later.firstPosition() + ".."
                        + later.lastPosition() + " follows at offset " + later.offset()
                        + ", so acknowledged data is damaged (this is not a torn write)");
            }
            if (tail.nonZeroEnd() > bad) {
                LOG.log(
                        Level.WARNING,
                        "zeroing torn tail of {0}: {1} bytes from offset {2} ({3})",
                        file.path(),
                        String.valueOf(tail.nonZeroEnd() - bad),
                        String.valueOf(bad),
                        why);
                LogFiles.writeZeros(channel, bad, tail.nonZeroEnd());
            }
            return bad;
        }
    }

    // ---- checkpoint after recovery ----

    /**
     * Writes a checkpoint naming the newest frame when recovery found frames past the old one (they
     * were just forced to disk), so the next open scans nothing twice.
     */
    private Optional<Checkpoint> refreshCheckpoint(List<SegmentState> states, Optional<Checkpoint> old)
            throws IOException {
        for (int i = states.size() - 1; i >= 0; i--) {
            SegmentState state = states.get(i);
            if (!state.isEmpty()) {
                if (old.isPresent() && old.get().position() >= state.lastPosition()) {
                    return old;
                }
                Checkpoint fresh = new Checkpoint(state.lastPosition(), state.firstPosition(), state.lastFrameOffset());
                fresh.write(io, dir);
                return Optional.of(fresh);
            }
        }
        return old;
    }

    private static SegmentState emptyState(SegmentFile file) {
        return new SegmentState(
                file.path(), file.firstPosition(), new SparseIndex(), HEADER_BYTES, file.firstPosition() - 1, -1);
    }
}
