package io.factum.engine;

import io.factum.api.RecordedEvent;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.DirectoryLock;
import io.factum.engine.internal.log.SegmentedLog;
import io.factum.engine.internal.store.Indexes;
import io.factum.engine.internal.store.TagKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The files of an open store and how they are brought to a consistent state at open: the lock,
 * then the log (recovery), then the two indexes (each opened, or rebuilt when damaged, then caught
 * up with the log's tail): the stream index and the tag and type index. Both are derived data, so
 * a damaged index costs a rebuild, never an event.
 */
record Storage(DirectoryLock lock, SegmentedLog log, Indexes indexes) implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    /** Records read per step when the tag index replays the log. */
    private static final int REPLAY_BATCH = 1024;

    static Path logDir(Path dataDir) {
        return dataDir.resolve("log");
    }

    static Path indexDir(Path dataDir) {
        return dataDir.resolve("index");
    }

    static Path tagIndexDir(Path dataDir) {
        return dataDir.resolve("tag-index");
    }

    StreamIndex index() {
        return indexes.streams();
    }

    static Storage open(EngineOptions options) throws IOException {
        Path dataDir = options.dataDir();
        DirectoryLock lock = DirectoryLock.acquire(dataDir, options.fileIo());
        SegmentedLog log = null;
        try {
            log = SegmentedLog.open(logDir(dataDir), logOptions(options), options.fileIo());
            StreamIndex index = openIndex(options, log, Kind.STREAMS);
            try {
                return new Storage(lock, log, new Indexes(index, openIndex(options, log, Kind.TAGS)));
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(index, e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                closeAfterFailure(log, e);
            }
            closeAfterFailure(lock, e);
            throw e;
        }
    }

    /**
     * Closes what a failed open had opened, keeping the open's error: closing can fail too (the
     * disk that failed the open fails the close's flush), and must not skip releasing the rest.
     */
    private static void closeAfterFailure(AutoCloseable opened, Throwable failure) {
        try {
            opened.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    private static SegmentedLog.Options logOptions(EngineOptions options) {
        return new SegmentedLog.Options(
                options.segmentSizeBytes(), options.durability() == Durability.FSYNC, options.logCacheBytes());
    }

    private static StreamIndex.Options indexOptions(EngineOptions options) {
        StreamIndex.Options defaults = StreamIndex.Options.defaults();
        return new StreamIndex.Options(
                options.indexMemtableEntries(), defaults.maxFilesBeforeMerge(), defaults.bloomBitsPerEntry());
    }

    /** The two indexes: where each lives, what it is called in messages, how it resolves keys. */
    enum Kind {
        STREAMS("the stream index"),
        TAGS("the tag and type index");

        final String description;

        Kind(String description) {
            this.description = description;
        }

        Path dir(Path dataDir) {
            return this == STREAMS ? indexDir(dataDir) : tagIndexDir(dataDir);
        }

        /** Settles hash collisions by reading the record from the log. */
        StreamIndex.KeyResolver resolver(SegmentedLog log) {
            return this == STREAMS
                    ? (StreamIndex.StreamResolver) position -> log.read(position).stream()
                    : (key, position) -> TagKeys.holds(log.read(position), key);
        }
    }

    /** Opens an index (rebuilding it from the log when it is damaged) and replays the log's tail. */
    private static StreamIndex openIndex(EngineOptions options, SegmentedLog log, Kind kind) throws IOException {
        StreamIndex index;
        try {
            index = indexFiles(options, log, kind);
        } catch (IOException e) {
            LOG.log(
                    Level.WARNING,
                    kind.description + " is damaged (" + e.getMessage()
                            + "); rebuilding it from the log, which holds every event");
            index = freshIndex(options, log, kind);
        }
        if (index.indexedUpTo() > log.durablePosition()) {
            // Only possible when the log lost a tail it had already indexed (a power loss with
            // Durability.NO_FSYNC): entries would point at positions that no longer exist.
            LOG.log(
                    Level.WARNING,
                    kind.description + " covers position " + index.indexedUpTo() + " but the log ends at "
                            + log.durablePosition() + "; rebuilding it from the log");
            index.close();
            index = freshIndex(options, log, kind);
        }
        try {
            replay(log, index, kind, index.indexedUpTo() + 1);
        } catch (IOException | RuntimeException e) {
            closeAfterFailure(index, e);
            throw e;
        }
        return index;
    }

    /** The persisted index; hash collisions are settled by reading the record from the log. */
    private static StreamIndex indexFiles(EngineOptions options, SegmentedLog log, Kind kind) throws IOException {
        return StreamIndex.open(
                kind.dir(options.dataDir()), indexOptions(options), kind.resolver(log), options.fileIo());
    }

    /** An empty index, its old files deleted, for a rebuild from the log. */
    private static StreamIndex freshIndex(EngineOptions options, SegmentedLog log, Kind kind) throws IOException {
        StreamIndex.delete(kind.dir(options.dataDir()), options.fileIo());
        return indexFiles(options, log, kind);
    }

    /** Adds every durable record from {@code from} on to the index; returns how many. */
    private static long replay(SegmentedLog log, StreamIndex index, Kind kind, long from) throws IOException {
        return kind == Kind.STREAMS ? replayStreams(log, index, from) : replayTags(log, index, from);
    }

    /** The stream index needs only each record's stream and version: a header-only scan. */
    private static long replayStreams(SegmentedLog log, StreamIndex index, long from) throws IOException {
        long[] count = {0};
        try {
            log.scan(from, (position, stream, version) -> {
                try {
                    index.add(stream, version, position);
                    count[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return count[0];
    }

    /** The tag index needs each record's type and tags: whole records, a batch at a time. */
    private static long replayTags(SegmentedLog log, StreamIndex index, long from) throws IOException {
        long count = 0;
        long next = from;
        while (true) {
            List<RecordedEvent> batch = log.readForward(next, REPLAY_BATCH);
            if (batch.isEmpty()) {
                return count;
            }
            for (RecordedEvent r : batch) {
                index.add(TagKeys.of(r), r.position(), r.position());
            }
            count += batch.size();
            next = batch.get(batch.size() - 1).position() + 1;
        }
    }

    /** Rebuilds both indexes from the log; returns the number of records indexed. */
    static long rebuildIndex(EngineOptions options) throws IOException {
        Path dataDir = options.dataDir();
        try (DirectoryLock lock = DirectoryLock.acquire(dataDir, options.fileIo());
                SegmentedLog log = SegmentedLog.open(logDir(dataDir), logOptions(options), options.fileIo())) {
            long count = 0;
            for (Kind kind : Kind.values()) {
                try (StreamIndex index = freshIndex(options, log, kind)) {
                    count = replay(log, index, kind, 0);
                    index.flush();
                }
            }
            return count;
        }
    }

    /** The newest records, oldest first, to seed the idempotency cache after a restart. */
    List<RecordedEvent> newestRecords(int count) throws IOException {
        if (count == 0 || log.durablePosition() < 0) {
            return List.of();
        }
        List<RecordedEvent> newest = new ArrayList<>(Math.min(count, 1 << 16));
        long next = log.durablePosition();
        while (newest.size() < count && next >= 0) {
            List<RecordedEvent> batch = log.readBackward(next, Math.min(4096, count - newest.size()));
            if (batch.isEmpty()) {
                break;
            }
            newest.addAll(batch);
            next = batch.get(batch.size() - 1).position() - 1;
        }
        Collections.reverse(newest);
        return newest;
    }

    /** Index figures count both indexes; "indexed up to" is the lower of the two. */
    EngineStats stats(
            long appendsCommitted,
            long syncs,
            int queueDepth,
            FlushLatency flushLatency,
            Optional<String> readOnlyReason) {
        long head = log.durablePosition();
        StreamIndex streams = indexes.streams();
        StreamIndex tags = indexes.tags();
        return new EngineStats(
                head,
                head + 1,
                streams.streamCount(),
                log.segmentCount(),
                log.sizeBytes(),
                Math.min(streams.indexedUpTo(), tags.indexedUpTo()),
                streams.fileCount() + tags.fileCount(),
                streams.sizeBytes() + tags.sizeBytes(),
                appendsCommitted,
                syncs,
                queueDepth,
                flushLatency,
                readOnlyReason);
    }

    /** Checks a closed store without changing anything; see {@link StoreVerifier}. */
    static VerifyReport verify(Path dataDir, FileIo io) throws IOException {
        return StoreVerifier.verify(dataDir, io);
    }

    /** Persists the index (so the next open replays nothing), closes the files, releases the lock. */
    @Override
    public void close() {
        for (StreamIndex index : List.of(indexes.streams(), indexes.tags())) {
            try {
                index.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing an index failed; the next open replays the log tail", e);
            }
        }
        try {
            log.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the log failed", e);
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "releasing the directory lock failed", e);
        }
    }
}
