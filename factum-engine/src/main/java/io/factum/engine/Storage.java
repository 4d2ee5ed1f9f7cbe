package io.factum.engine;

import io.factum.api.RecordedEvent;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.DirectoryLock;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The files of an open store and how they are brought to a consistent state at open: the lock,
 * then the log (recovery), then the index (opened, or rebuilt when damaged, then caught up with the
 * log's tail). The index is derived data, so a damaged index costs a rebuild, never an event.
 */
record Storage(DirectoryLock lock, SegmentedLog log, StreamIndex index) implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Storage.class.getName());

    static Path logDir(Path dataDir) {
        return dataDir.resolve("log");
    }

    static Path indexDir(Path dataDir) {
        return dataDir.resolve("index");
    }

    static Storage open(EngineOptions options) throws IOException {
        Path dataDir = options.dataDir();
        Files.createDirectories(dataDir);
        DirectoryLock lock = DirectoryLock.acquire(dataDir);
        SegmentedLog log = null;
        try {
            log = SegmentedLog.open(logDir(dataDir), logOptions(options));
            StreamIndex index = openIndex(options, log);
            return new Storage(lock, log, index);
        } catch (IOException | RuntimeException e) {
            if (log != null) {
                log.close();
            }
            lock.close();
            throw e;
        }
    }

    private static SegmentedLog.Options logOptions(EngineOptions options) {
        return new SegmentedLog.Options(options.segmentSizeBytes(), options.durability() == Durability.FSYNC);
    }

    private static StreamIndex.Options indexOptions(EngineOptions options) {
        StreamIndex.Options defaults = StreamIndex.Options.defaults();
        return new StreamIndex.Options(
                options.indexMemtableEntries(), defaults.maxFilesBeforeMerge(), defaults.bloomBitsPerEntry());
    }

    /** Opens the index (rebuilding it from the log when it is damaged) and replays the log's tail. */
    private static StreamIndex openIndex(EngineOptions options, SegmentedLog log) throws IOException {
        StreamIndex index;
        try {
            index = indexFiles(options, log);
        } catch (IOException e) {
            LOG.log(
                    Level.WARNING,
                    "the stream index is damaged (" + e.getMessage()
                            + "); rebuilding it from the log, which holds every event");
            index = freshIndex(options, log);
        }
        if (index.indexedUpTo() > log.durablePosition()) {
            // Only possible when the log lost a tail it had already indexed (a power loss with
            // Durability.NO_FSYNC): entries would point at positions that no longer exist.
            LOG.log(
                    Level.WARNING,
                    "the stream index covers position " + index.indexedUpTo() + " but the log ends at "
                            + log.durablePosition() + "; rebuilding the index from the log");
            index.close();
            index = freshIndex(options, log);
        }
        try {
            replay(log, index, index.indexedUpTo() + 1);
        } catch (IOException | RuntimeException e) {
            index.close();
            throw e;
        }
        return index;
    }

    /** The persisted index; hash collisions are settled by reading the stream name from the log. */
    private static StreamIndex indexFiles(EngineOptions options, SegmentedLog log) throws IOException {
        return StreamIndex.open(
                indexDir(options.dataDir()), indexOptions(options), position -> log.read(position).stream());
    }

    /** An empty index, its old files deleted, for a rebuild from the log. */
    private static StreamIndex freshIndex(EngineOptions options, SegmentedLog log) throws IOException {
        StreamIndex.delete(indexDir(options.dataDir()));
        return indexFiles(options, log);
    }

    /** Adds every durable record from {@code from} on to the index; returns how many. */
    private static long replay(SegmentedLog log, StreamIndex index, long from) throws IOException {
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

    static long rebuildIndex(EngineOptions options) throws IOException {
        Path dataDir = options.dataDir();
        try (DirectoryLock lock = DirectoryLock.acquire(dataDir);
                SegmentedLog log = SegmentedLog.open(logDir(dataDir), logOptions(options))) {
            try (StreamIndex index = freshIndex(options, log)) {
                long count = replay(log, index, 0);
                index.flush();
                return count;
            }
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

    EngineStats stats(long appendsCommitted, long syncs, int queueDepth, FlushLatency flushLatency) {
        long head = log.durablePosition();
        return new EngineStats(
                head,
                head + 1,
                index.streamCount(),
                log.segmentCount(),
                log.sizeBytes(),
                index.indexedUpTo(),
                index.fileCount(),
                index.sizeBytes(),
                appendsCommitted,
                syncs,
                queueDepth,
                flushLatency);
    }

    /** Checks a closed store without changing anything; see {@link StoreVerifier}. */
    static VerifyReport verify(Path dataDir) throws IOException {
        return StoreVerifier.verify(dataDir);
    }

    /** Persists the index (so the next open replays nothing), closes the files, releases the lock. */
    @Override
    public void close() {
        try {
            index.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the index failed; the next open replays the log tail", e);
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
