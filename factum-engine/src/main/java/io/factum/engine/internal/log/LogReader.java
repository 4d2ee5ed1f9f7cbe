package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFormat.HEADER_BYTES;

import io.factum.api.RecordedEvent;
import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Point reads of a closed log that change nothing on disk, for checks such as {@code verify} that
 * compare the stream index with the log without running recovery.
 *
 * <p>Opening lists the segments; it opens every file read-only and never writes: no torn-tail
 * truncation, no header repair, no sidecar or checkpoint. A sealed segment whose sidecar is valid is
 * taken from the sidecar (its extent and sparse index) and not read at open; a sealed segment
 * without a valid sidecar, and the last segment, are scanned frame by frame with full checks. The
 * last segment ends at its last valid frame: bytes after it with no valid frame following (the search
 * stops after 1 MiB of zeros, as recovery's does) are the preallocated zeros or a torn tail (what
 * recovery would zero), so positions past it are {@link Lookup.Absent}, not damaged.
 * Segment headers are not checked here ({@link SegmentedLog#verify} reports them).
 *
 * <p>Damage: a read that meets an invalid frame, or a frame with an unexpected first position, looks
 * for the next valid frame ({@link FrameSearch}); the positions before it are a damaged gap and read
 * as {@link Lookup.Damaged}, naming the damaged frame. Each gap and each place to resume after it are
 * remembered, so one damaged place costs one search however many positions fall into it; memory
 * grows only with the number of damaged places.
 *
 * <p>Not thread-safe: one thread opens, reads and closes.
 */
public final class LogReader implements Closeable {

    /** What the log holds at a position. */
    public sealed interface Lookup {
        /** The record at the position. */
        record Found(RecordedEvent event) implements Lookup {}

        /** No record: the position is before the first or after the last valid position. */
        record Absent() implements Lookup {}

        /** The position lies in a damaged part of the log; {@code offset} is the damaged frame's. */
        record Damaged(Path file, long offset) implements Lookup {}
    }

    private final List<Part> parts;

    private LogReader(List<Part> parts) {
        this.parts = parts;
    }

    /** Opens the log in {@code logDir} for reading only; see the class comment. */
    public static LogReader open(Path logDir) throws IOException {
        return open(logDir, FileIo.system());
    }

    /** As {@link #open(Path)}, with every file access through io. */
    public static LogReader open(Path logDir, FileIo io) throws IOException {
        Path dir = logDir.toAbsolutePath();
        if (!io.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a log directory");
        }
        List<LogRecovery.SegmentFile> files = LogRecovery.listSegments(io, dir);
        List<Part> parts = new ArrayList<>(files.size());
        try {
            for (int i = 0; i < files.size(); i++) {
                parts.add(openPart(dir, io, files.get(i), i == files.size() - 1));
            }
        } catch (IOException | RuntimeException e) {
            for (Part part : parts) {
                closeQuietly(part, e);
            }
            throw e;
        }
        return new LogReader(List.copyOf(parts));
    }

    private static Part openPart(Path dir, FileIo io, LogRecovery.SegmentFile file, boolean last) throws IOException {
        FileChannel channel = io.open(file.path(), StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (!last && Sidecar.read(io, dir, file.firstPosition(), size) instanceof Sidecar.Loaded.Present p) {
                Sidecar sidecar = p.sidecar();
                return new Part(file, channel, sidecar.index(), sidecar.lastPosition(), size);
            }
            return scan(file, channel, size, last);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Builds a segment's index by checking every frame, resuming after damage at the next valid frame. */
    private static Part scan(LogRecovery.SegmentFile file, FileChannel channel, long size, boolean last)
            throws IOException {
        SparseIndex index = new SparseIndex();
        Map<Long, Gap> gaps = new TreeMap<>();
        long expected = file.firstPosition();
        long validEnd = HEADER_BYTES;
        FrameCursor cursor = new FrameCursor(file.path(), channel::read, HEADER_BYTES, size, Segment.SCAN_CHUNK_BYTES);
        while (true) {
            FrameCursor.Status status = cursor.next(FrameCursor.Mode.CHECKED);
            if (status == FrameCursor.Status.END) {
                break;
            }
            if (status == FrameCursor.Status.FRAME && cursor.firstPosition() == expected) {
                index.addIfDue(expected, cursor.frameOffset());
                expected = cursor.lastPosition() + 1;
                validEnd = cursor.frameEnd();
                continue;
            }
            long bad = cursor.frameOffset();
            // The last segment is preallocated: its search stops in the zeros after its data.
            Optional<FrameSearch.Found> next = last
                    ? FrameSearch.searchTail(file.path(), channel, bad, bad + 1, size, expected)
                            .found()
                    : FrameSearch.findValidFrame(file.path(), channel, bad + 1, size, expected);
            if (next.isEmpty()) {
                if (!last) {
                    // A sealed segment was whole when sealed: its missing tail is damage, bounded above by
                    // the next segment's first position.
                    gaps.put(expected, new Gap(Long.MAX_VALUE, bad));
                }
                break;
            }
            if (next.get().firstPosition() > expected) {
                gaps.put(expected, new Gap(next.get().firstPosition() - 1, bad));
            }
            // Positions and offsets both still ascend, so the resumption point can join the index.
            index.add(next.get().firstPosition(), next.get().offset());
            expected = next.get().firstPosition();
            cursor = new FrameCursor(file.path(), channel::read, next.get().offset(), size, Segment.SCAN_CHUNK_BYTES);
        }
        // The last segment is read only up to its last valid frame: a torn tail is not part of the log.
        Part part = new Part(file, channel, index.view(), expected - 1, last ? validEnd : size);
        part.gaps.putAll(gaps);
        return part;
    }

    /** The highest position a read can find; -1 when the log holds no record. */
    public long lastPosition() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            if (parts.get(i).lastPosition >= parts.get(i).firstPosition) {
                return parts.get(i).lastPosition;
            }
        }
        return -1;
    }

    public int segmentCount() {
        return parts.size();
    }

    /** What the log holds at {@code position}; any position, negative ones included, may be asked. */
    public Lookup read(long position) throws IOException {
        if (parts.isEmpty() || position < parts.get(0).firstPosition) {
            return new Lookup.Absent();
        }
        int low = 0;
        int high = parts.size() - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (parts.get(mid).firstPosition <= position) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return parts.get(low).read(position);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Part part : parts) {
            try {
                part.channel.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static void closeQuietly(Part part, Throwable primary) {
        try {
            part.channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /** Positions {@code [key, to]} of a segment are unreadable; {@code offset} is the damaged frame. */
    private record Gap(long to, long offset) {}

    /** One segment: its read-only channel, its sparse index, and what reads learnt about its damage. */
    private static final class Part {
        final Path path;
        final long firstPosition;
        final FileChannel channel;
        final SparseIndex.View index;
        /** Last position of the last valid frame (firstPosition - 1 when there is none). */
        final long lastPosition;
        /** Reads never look at bytes at or past this offset. */
        final long end;

        final TreeMap<Long, Gap> gaps = new TreeMap<>();
        /** First position of a valid frame found after damage, and that frame's offset. */
        final TreeMap<Long, Long> resumeAt = new TreeMap<>();

        Part(LogRecovery.SegmentFile file, FileChannel channel, SparseIndex.View index, long lastPosition, long end) {
            this.path = file.path();
            this.firstPosition = file.firstPosition();
            this.channel = channel;
            this.index = index;
            this.lastPosition = lastPosition;
            this.end = end;
        }

        Lookup read(long position) throws IOException {
            Map.Entry<Long, Gap> gap = gaps.floorEntry(position);
            if (gap != null && position <= gap.getValue().to()) {
                return new Lookup.Damaged(path, gap.getValue().offset());
            }
            if (position > lastPosition) {
                return new Lookup.Absent();
            }
            long startPosition = firstPosition;
            long startOffset = HEADER_BYTES;
            int entry = index.floor(position);
            if (entry >= 0) {
                startPosition = index.position(entry);
                startOffset = index.offset(entry);
            }
            Map.Entry<Long, Long> resume = resumeAt.floorEntry(position);
            if (resume != null && resume.getKey() > startPosition) {
                startPosition = resume.getKey();
                startOffset = resume.getValue();
            }
            return walk(position, startPosition, startOffset);
        }

        /** Decodes frames from a known frame start until the one holding {@code position}. */
        private Lookup walk(long position, long startPosition, long startOffset) throws IOException {
            FrameCursor cursor = new FrameCursor(path, channel::read, startOffset, end, Segment.POINT_CHUNK_BYTES);
            long expected = startPosition;
            while (true) {
                FrameCursor.Status status = cursor.next(FrameCursor.Mode.CHECKED);
                if (status == FrameCursor.Status.FRAME && cursor.firstPosition() == expected) {
                    if (position <= cursor.lastPosition()) {
                        return new Lookup.Found(decode(cursor, position));
                    }
                    expected = cursor.lastPosition() + 1;
                    continue;
                }
                long bad = status == FrameCursor.Status.END ? end : cursor.frameOffset();
                Optional<FrameSearch.Found> next = status == FrameCursor.Status.END
                        ? Optional.empty()
                        : FrameSearch.findValidFrame(path, channel, bad + 1, end, expected);
                if (next.isEmpty()) {
                    gaps.put(expected, new Gap(Long.MAX_VALUE, bad));
                    return new Lookup.Damaged(path, bad);
                }
                FrameSearch.Found found = next.get();
                if (found.firstPosition() > expected) {
                    gaps.put(expected, new Gap(found.firstPosition() - 1, bad));
                }
                resumeAt.put(found.firstPosition(), found.offset());
                if (position < found.firstPosition()) {
                    return new Lookup.Damaged(path, bad);
                }
                expected = found.firstPosition();
                cursor = new FrameCursor(path, channel::read, found.offset(), end, Segment.POINT_CHUNK_BYTES);
            }
        }

        private static RecordedEvent decode(FrameCursor cursor, long position) {
            ByteBuffer buf = cursor.buffer();
            int at = cursor.recordsAt();
            for (long p = cursor.firstPosition(); p < position; p++) {
                at += RecordCodec.sizeAt(buf, at);
            }
            return RecordCodec.decode(buf, at);
        }
    }
}
