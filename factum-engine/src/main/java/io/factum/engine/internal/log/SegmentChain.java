package io.factum.engine.internal.log;

import io.factum.engine.FileIo;
import io.factum.engine.internal.log.LogRecovery.SegmentFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules that tie the segment files of a log directory into one dense run of positions, shared
 * by recovery (which refuses a break) and verify (which reports it): where the log starts, which
 * files belong to it, and which file a break is blamed on.
 *
 * <p>The invariant: the oldest segment is named for the log's start (position 0, or what {@link
 * LogStart} persisted), and every later segment for the position after the previous segment's
 * last. A break is blamed on the file to restore: when positions are in no segment, that is the
 * missing segment, named as the segment for the first missing position would be (the writer names
 * each new segment for the position its first record gets, so that is the name the lost file had).
 * Only when two segments overlap is an existing file blamed. Stateless.
 */
final class SegmentChain {
    private static final String MISSING = "the segment file is missing: ";

    private SegmentChain() {}

    /**
     * Where the log starts and how that is known, for messages.
     *
     * @param position the first position of the log
     * @param origin why, in words ("no log-start file" or the file's name)
     */
    record Start(long position, String origin) {
        static Start of(Path dir, LogStart.Loaded loaded) {
            return loaded instanceof LogStart.Loaded.Present present
                    ? new Start(present.start().position(), LogStart.pathIn(dir).getFileName() + " says so")
                    : new Start(0, "there is no " + LogFormat.LOG_START_FILE + " file");
        }

        String describe() {
            return "the log starts at position " + position + " (" + origin + ")";
        }
    }

    /**
     * The segment files of the log, oldest first: those named for the start or a later position.
     * Files named for an earlier position are left out: a scavenger persists the new start before it
     * deletes the segments before it, so a crash can leave some of them behind.
     */
    static List<SegmentFile> live(List<SegmentFile> all, Start start) {
        return all.stream().filter(f -> f.firstPosition() >= start.position()).toList();
    }

    /** The oldest segment must be the one named for the start. */
    static Optional<Damage> checkFirst(Path dir, Start start, SegmentFile first) {
        if (first.firstPosition() == start.position()) {
            return Optional.empty();
        }
        return Optional.of(missing(
                dir,
                start.position(),
                start.describe() + ", but the oldest segment file is "
                        + first.path().getFileName()
                        + ", which starts at position " + first.firstPosition() + "; positions "
                        + start.position() + ".." + (first.firstPosition() - 1)
                        + " are in no segment (was the file deleted or renamed?)"));
    }

    /**
     * How a segment ends, as recovery or verify found it.
     *
     * @param lastPosition its last position ({@code firstPosition - 1} when it holds no frame)
     * @param endOffset its size in bytes
     * @param confirmed whether a valid sidecar written when it was sealed records the same last
     *     position, so the segment is known to be whole
     */
    record Ending(SegmentFile file, long lastPosition, long endOffset, boolean confirmed) {}

    /**
     * {@code next} must start right after {@code previous}. When it starts later, the positions in
     * between are in no segment: either a file between them is missing, or {@code previous} was cut
     * short at a frame boundary (which looks sound on its own). The missing file is blamed when the
     * previous segment's sidecar confirms where it ends; otherwise the previous segment is, and the
     * description names both.
     */
    static Optional<Damage> checkNext(Path dir, Ending previous, SegmentFile next) {
        long expected = previous.lastPosition() + 1;
        String previousName = previous.file().path().getFileName().toString();
        String nextName = next.path().getFileName().toString();
        if (next.firstPosition() == expected) {
            return Optional.empty();
        }
        if (next.firstPosition() < expected) {
            return Optional.of(new Damage(
                    next.path(),
                    8,
                    "segment starts at position " + next.firstPosition() + ", but the previous segment " + previousName
                            + " already holds positions up to " + previous.lastPosition()));
        }
        String range = "positions " + expected + ".." + (next.firstPosition() - 1);
        if (previous.confirmed()) {
            return Optional.of(missing(
                    dir,
                    expected,
                    range + " are in no segment (" + previousName + " ends at position " + previous.lastPosition()
                            + ", as its sidecar confirms, and the next file, " + nextName
                            + ", starts at position " + next.firstPosition() + "; was the file deleted or renamed?)"));
        }
        return Optional.of(new Damage(
                previous.file().path(),
                previous.endOffset(),
                "segment ends at position " + previous.lastPosition() + " but the next file, " + nextName
                        + ", starts at position " + next.firstPosition() + ": either this segment was cut short or "
                        + LogFormat.segmentFileName(expected) + ", which would hold " + range
                        + ", is missing (no valid sidecar confirms where this segment ends)"));
    }

    /** The checkpoint names a segment that is not among the log's files. */
    static Damage checkpointSegmentMissing(Path dir, Checkpoint checkpoint) {
        return missing(
                dir,
                checkpoint.segmentFirstPosition(),
                "the " + LogFormat.CHECKPOINT_FILE + " file names it as the segment holding the durable"
                        + " frame that ends at position " + checkpoint.position());
    }

    /**
     * A directory without any segment file is a new log unless something shows the log held events:
     * a checkpoint, a sidecar, or a persisted start. Then the first segment is missing.
     */
    static Optional<Damage> checkEmpty(FileIo io, Path dir, Start start) throws IOException {
        List<String> evidence = new ArrayList<>();
        for (String name : new String[] {LogFormat.CHECKPOINT_FILE, LogFormat.LOG_START_FILE}) {
            if (io.exists(dir.resolve(name))) {
                evidence.add(name);
            }
        }
        for (Path p : io.list(dir)) {
            String name = p.getFileName().toString();
            if (name.startsWith(LogFormat.SEGMENT_PREFIX) && name.endsWith(LogFormat.SIDECAR_SUFFIX)) {
                evidence.add(name);
            }
        }
        if (evidence.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(missing(
                dir,
                start.position(),
                "the directory holds no segment file, but " + String.join(", ", evidence)
                        + " show that the log held events; " + start.describe()));
    }

    private static Damage missing(Path dir, long firstPosition, String why) {
        return new Damage(dir.resolve(LogFormat.segmentFileName(firstPosition)), 0, MISSING + why);
    }
}
