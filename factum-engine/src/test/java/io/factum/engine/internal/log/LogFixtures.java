package io.factum.engine.internal.log;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import io.factum.engine.FileIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Records whose every field is a function of the position, and file helpers for crash tests. */
final class LogFixtures {
    private LogFixtures() {}

    /** A record derived from its position alone, so any reader can check what it got. */
    static RecordedEvent event(long position) {
        String stream = "stream-" + (position % 7);
        byte[] data = ("{\"n\":" + position + "}").getBytes(StandardCharsets.UTF_8);
        byte[] metadata = position % 3 == 0 ? new byte[0] : ("m" + position).getBytes(StandardCharsets.UTF_8);
        return new RecordedEvent(
                stream,
                position / 7,
                position,
                new UUID(position, ~position),
                "Type" + (position % 5),
                data,
                metadata,
                position % 2 == 0 ? ContentType.JSON : ContentType.BINARY,
                Instant.ofEpochSecond(1_700_000_000L + position, position * 1_001 % 1_000_000_000));
    }

    static List<RecordedEvent> events(long first, int count) {
        List<RecordedEvent> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(event(first + i));
        }
        return out;
    }

    /** Appends {@code count} records in one frame and flushes. */
    static void appendFlushed(SegmentedLog log, int count) throws IOException {
        log.append(events(log.nextPosition(), count));
        log.flush();
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        return LogRecovery.listSegments(FileIo.system(), dir).stream()
                .map(LogRecovery.SegmentFile::path)
                .toList();
    }

    static Path lastSegment(Path dir) throws IOException {
        List<Path> files = segmentFiles(dir);
        return files.get(files.size() - 1);
    }

    /** Offsets of the frames of a segment file, by walking their headers. */
    static List<Long> frameOffsets(Path segment) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            FrameCursor cursor =
                    new FrameCursor(segment, channel::read, LogFormat.HEADER_BYTES, channel.size(), 1 << 16);
            while (cursor.next(FrameCursor.Mode.WALK) == FrameCursor.Status.FRAME) {
                offsets.add(cursor.frameOffset());
            }
        }
        return offsets;
    }

    /**
     * A copy of every file of a log directory as it is now, taken while the log is open: what a
     * crash of the process would leave behind (the page cache survives a process crash).
     */
    static Path crashCopy(Path dir, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).clear();
            channel.write(one, offset);
        }
    }

    /** Offset just past the last frame of a segment (its data end; the file may be longer). */
    static long dataEnd(Path segment) throws IOException {
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            FrameCursor cursor =
                    new FrameCursor(segment, channel::read, LogFormat.HEADER_BYTES, channel.size(), 1 << 16);
            long end = LogFormat.HEADER_BYTES;
            while (cursor.next(FrameCursor.Mode.WALK) == FrameCursor.Status.FRAME) {
                end = cursor.frameEnd();
            }
            return end;
        }
    }

    /**
     * A torn write inside a preallocated segment: the bytes from {@code cut} to the data end never
     * reached the disk, so they read as the zeros the file was prepared with. The size stays.
     */
    static void cutData(Path segment, long cut) throws IOException {
        long end = dataEnd(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            if (end > cut) {
                channel.write(ByteBuffer.allocate((int) (end - cut)), cut);
            }
        }
    }

    /** Whether every byte of {@code file} from {@code from} to its end is zero. */
    static boolean zerosFrom(Path file, long from) {
        byte[] bytes = bytes(file);
        for (int i = (int) from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
