package io.factum.engine;

import io.factum.api.RecordedEvent;
import io.factum.engine.internal.index.IndexVerification;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.DirectoryLock;
import io.factum.engine.internal.log.LogReader;
import io.factum.engine.internal.log.LogVerification;
import io.factum.engine.internal.log.SegmentedLog;
import io.factum.engine.internal.store.TagKeys;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link EmbeddedEventStore#verify}: a complete check of a closed store that changes nothing on
 * disk. Under the directory lock (taken without writing the LOCK file), it runs {@link
 * SegmentedLog#verify} over the log, then {@link StreamIndex#verify} over the index with every
 * entry compared to the log through a {@link LogReader}, which opens the segments read-only and
 * never runs recovery.
 *
 * <p>What counts as a problem: every damaged place the log's verify reports (a torn tail of the last
 * segment included, as that verify reports it); every damaged or inconsistent place of the index;
 * and an index that claims to cover positions past the log's last valid position. Not problems: a
 * missing index (it is derived and rebuilt at open), and an index that lags the log (the store
 * indexes the log's tail at open). Index entries that point into a damaged part of the log are not
 * reported separately (the log's damage is) and are not counted as checked, since the log cannot
 * confirm or refute them.
 *
 * <p>Stateless; each call works on its own files and lock.
 */
final class StoreVerifier {
    /** How the index verifier describes an entry whose position the log cannot produce. */
    private static final String NO_EVENT = "the log holds no event at position ";

    /** The advice that ends every {@code CorruptIndexException} message. */
    private static final String CORRUPT_INDEX_ADVICE =
            " (the index is derived data: delete it and rebuild it from the log)";

    /** Byte offset of {@code indexedUpTo} in the index manifest (see the index's Manifest layout). */
    private static final long MANIFEST_INDEXED_UP_TO_OFFSET = 24;

    private StoreVerifier() {}

    /** The index verification, less the entries that point into damaged parts of the log. */
    private record IndexCheck(long entriesChecked, List<VerifyReport.Problem> problems) {}

    static VerifyReport verify(Path dataDir, FileIo io) throws IOException {
        if (!io.isDirectory(dataDir)) {
            throw new NoSuchFileException(dataDir.toString(), null, "not a data directory");
        }
        try (DirectoryLock lock = DirectoryLock.acquireReadOnly(dataDir, io)) {
            Path logDir = Storage.logDir(dataDir);
            LogVerification log = SegmentedLog.verify(logDir, io);
            IndexCheck index;
            try (LogReader reader = LogReader.open(logDir, io)) {
                IndexCheck streams = checkIndex(io, Storage.indexDir(dataDir), reader, Storage.Kind.STREAMS);
                IndexCheck tags = checkIndex(io, Storage.tagIndexDir(dataDir), reader, Storage.Kind.TAGS);
                List<VerifyReport.Problem> both = new ArrayList<>(streams.problems());
                both.addAll(tags.problems());
                index = new IndexCheck(streams.entriesChecked() + tags.entriesChecked(), both);
            }
            List<VerifyReport.Problem> problems = new ArrayList<>(log.problems());
            problems.addAll(index.problems());
            return new VerifyReport(
                    dataDir,
                    log.segmentsChecked(),
                    log.framesChecked(),
                    log.recordsChecked(),
                    index.entriesChecked(),
                    problems);
        }
    }

    private static IndexCheck checkIndex(FileIo io, Path indexDir, LogReader reader, Storage.Kind kind)
            throws IOException {
        if (!io.isDirectory(indexDir)) {
            return new IndexCheck(0, List.of());
        }
        StreamIndex.EntryChecker checker = position -> switch (reader.read(position)) {
            case LogReader.Lookup.Found found -> Optional.of(logged(found.event(), kind));
            case LogReader.Lookup.Absent absent -> Optional.empty();
            case LogReader.Lookup.Damaged damaged -> Optional.empty();
        };
        IndexVerification verification = StreamIndex.verify(indexDir, checker, io);
        String remedy = remedy(io, indexDir);
        List<VerifyReport.Problem> problems = new ArrayList<>();
        long uncheckable = 0;
        for (IndexVerification.Problem p : verification.problems()) {
            if (pointsIntoDamagedLog(p, reader)) {
                uncheckable++;
            } else {
                problems.add(
                        new VerifyReport.Problem(p.file(), p.offset(), "index file damaged: " + plain(p) + remedy));
            }
        }
        long last = reader.lastPosition();
        if (verification.indexedUpTo() > last) {
            problems.add(new VerifyReport.Problem(
                    StreamIndex.manifestPath(indexDir),
                    MANIFEST_INDEXED_UP_TO_OFFSET,
                    "the index claims to cover the log up to position " + verification.indexedUpTo()
                            + ", but the log's last valid position is " + last
                            + " (was the log cut short or restored from an older copy?), so appends would fail"
                            + remedy));
        }
        return new IndexCheck(verification.entriesChecked() - uncheckable, problems);
    }

    /** The keys an index holds for a record, and the version its entries carry. */
    private static StreamIndex.LoggedEvent logged(RecordedEvent event, Storage.Kind kind) {
        return kind == Storage.Kind.STREAMS
                ? new StreamIndex.LoggedEvent(event.stream(), event.version())
                : new StreamIndex.LoggedEvent(TagKeys.of(event), event.position());
    }

    /**
     * Whether the index is rebuilt at the next open: open refuses a rebuild marker, a damaged
     * manifest, a damaged file header, footer or meta section, and damaged blocks in the files it
     * checks whole (the smallest, up to {@link StreamIndex#DEFAULT_OPEN_CHECK_BYTES}), and the store
     * then rebuilds the index. Damage in a block of a larger file, or an entry that disagrees with
     * the log, passes open unnoticed; a read that reaches a damaged block fails and marks the index
     * for a rebuild at the open after it.
     */
    private static String remedy(FileIo io, Path indexDir) throws IOException {
        return StreamIndex.openProblem(indexDir, io).isPresent()
                ? "; the next open rebuilds the index from the log"
                : "; the next open does not detect this (it checks blocks only of the smallest index files,"
                        + " up to " + (StreamIndex.DEFAULT_OPEN_CHECK_BYTES >> 20) + " MiB): rebuild the index"
                        + " from the log (rebuild-index)";
    }

    /**
     * The problem without the file and offset (the report has them already) and without the index's
     * generic advice, which the remedy replaces; unchanged when it is worded otherwise.
     */
    private static String plain(IndexVerification.Problem problem) {
        String description = problem.description();
        String prefix = "index file " + problem.file() + " is corrupt at byte offset " + problem.offset() + ": ";
        if (description.startsWith(prefix) && description.endsWith(CORRUPT_INDEX_ADVICE)) {
            return description.substring(prefix.length(), description.length() - CORRUPT_INDEX_ADVICE.length());
        }
        return description;
    }

    /**
     * An index entry the index verifier could not match with the log because its position lies in
     * a damaged part of the log, which the log's verify already reports: the entry may well be right.
     */
    private static boolean pointsIntoDamagedLog(IndexVerification.Problem problem, LogReader reader)
            throws IOException {
        String description = problem.description();
        if (!description.startsWith(NO_EVENT)) {
            return false;
        }
        long position;
        try {
            position = Long.parseLong(description.substring(NO_EVENT.length()));
        } catch (NumberFormatException e) {
            // A reworded message: keep the problem (reporting too much is the safe side).
            return false;
        }
        return reader.read(position) instanceof LogReader.Lookup.Damaged;
    }
}
