package io.factum.engine;

import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How an embedded store is opened. Build with {@link #defaults(Path)} and the {@code with...}
 * methods.
 *
 * @param dataDir the data directory; created when missing
 * @param limits limits enforced on input
 * @param durability when appends are acknowledged
 * @param segmentSizeBytes a log segment is sealed once it reaches this size (a frame never spans
 *     segments, so a segment may exceed it by one frame)
 * @param writeQueueCapacity most appends waiting for the writer thread; callers block beyond it
 * @param writeQueueBytes most payload bytes waiting for the writer thread; callers block beyond it
 * @param indexMemtableEntries index entries kept in memory before they are flushed to an index file
 * @param idempotencyCacheEntries recent appended batches (one entry per stream per append, keyed
 *     by the batch's first event id) remembered for idempotent retries with {@code
 *     ExpectedVersion.any()}; exact expectations are checked against the log, whatever their age
 * @param logCacheBytes most bytes of the newest log data kept in memory, so that reads of recent
 *     events (deciders, live subscriptions) are served without a system call; 0 turns it off
 * @param clock the source of event timestamps and of "now" for {@code maxAge}
 * @param fileIo every file access of the engine (log, indexes, manifests, lock) goes through it;
 *     {@link FileIo#system()} unless a test injects faults or simulates power loss
 */
public record EngineOptions(
        Path dataDir,
        StoreLimits limits,
        Durability durability,
        long segmentSizeBytes,
        int writeQueueCapacity,
        long writeQueueBytes,
        int indexMemtableEntries,
        int idempotencyCacheEntries,
        long logCacheBytes,
        Clock clock,
        FileIo fileIo) {

    public static final long DEFAULT_SEGMENT_SIZE_BYTES = 256L << 20;

    /**
     * The default log cache: an eighth of the JVM's maximum heap, at most 256 MiB (about 800,000
     * events of 300 bytes: a few seconds of a busy store's writes, which is what deciders and live
     * subscriptions read). Blocks are allocated as the log grows, so a quiet store uses less.
     */
    public static final long DEFAULT_LOG_CACHE_BYTES =
            Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    public EngineOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(fileIo, "fileIo");
        if (segmentSizeBytes < (1 << 16)) {
            throw new InvalidInputException("segmentSizeBytes", segmentSizeBytes, "must be at least 65536");
        }
        if (writeQueueCapacity < 1) {
            throw new InvalidInputException("writeQueueCapacity", writeQueueCapacity, "must be >= 1");
        }
        if (writeQueueBytes < limits.maxAppendBytes()) {
            throw new InvalidInputException(
                    "writeQueueBytes",
                    writeQueueBytes,
                    "must hold at least one append (" + limits.maxAppendBytes() + ")");
        }
        if (indexMemtableEntries < 1) {
            throw new InvalidInputException("indexMemtableEntries", indexMemtableEntries, "must be >= 1");
        }
        if (idempotencyCacheEntries < 0) {
            throw new InvalidInputException("idempotencyCacheEntries", idempotencyCacheEntries, "must be >= 0");
        }
        if (logCacheBytes < 0) {
            throw new InvalidInputException("logCacheBytes", logCacheBytes, "must be >= 0");
        }
    }

    public static EngineOptions defaults(Path dataDir) {
        return new EngineOptions(
                dataDir,
                StoreLimits.defaults(),
                Durability.FSYNC,
                DEFAULT_SEGMENT_SIZE_BYTES,
                4096,
                64L << 20,
                1 << 20,
                100_000,
                DEFAULT_LOG_CACHE_BYTES,
                Clock.systemUTC(),
                FileIo.system());
    }

    public EngineOptions withDataDir(Path newDataDir) {
        return edit(b -> b.dataDir = newDataDir);
    }

    public EngineOptions withLimits(StoreLimits newLimits) {
        return edit(b -> b.limits = newLimits);
    }

    public EngineOptions withDurability(Durability newDurability) {
        return edit(b -> b.durability = newDurability);
    }

    public EngineOptions withSegmentSizeBytes(long bytes) {
        return edit(b -> b.segmentSizeBytes = bytes);
    }

    public EngineOptions withIndexMemtableEntries(int entries) {
        return edit(b -> b.indexMemtableEntries = entries);
    }

    public EngineOptions withIdempotencyCacheEntries(int entries) {
        return edit(b -> b.idempotencyCacheEntries = entries);
    }

    public EngineOptions withLogCacheBytes(long bytes) {
        return edit(b -> b.logCacheBytes = bytes);
    }

    public EngineOptions withClock(Clock newClock) {
        return edit(b -> b.clock = newClock);
    }

    public EngineOptions withFileIo(FileIo newFileIo) {
        return edit(b -> b.fileIo = newFileIo);
    }

    /** A copy with one component changed: every wither is one line, and a new component one field. */
    private EngineOptions edit(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components as mutable fields, for {@link #edit}; validated again by the constructor. */
    private static final class Copy {
        Path dataDir;
        StoreLimits limits;
        Durability durability;
        long segmentSizeBytes;
        int writeQueueCapacity;
        long writeQueueBytes;
        int indexMemtableEntries;
        int idempotencyCacheEntries;
        long logCacheBytes;
        Clock clock;
        FileIo fileIo;

        Copy(EngineOptions o) {
            dataDir = o.dataDir;
            limits = o.limits;
            durability = o.durability;
            segmentSizeBytes = o.segmentSizeBytes;
            writeQueueCapacity = o.writeQueueCapacity;
            writeQueueBytes = o.writeQueueBytes;
            indexMemtableEntries = o.indexMemtableEntries;
            idempotencyCacheEntries = o.idempotencyCacheEntries;
            logCacheBytes = o.logCacheBytes;
            clock = o.clock;
            fileIo = o.fileIo;
        }

        EngineOptions build() {
            return new EngineOptions(
                    dataDir,
                    limits,
                    durability,
                    segmentSizeBytes,
                    writeQueueCapacity,
                    writeQueueBytes,
                    indexMemtableEntries,
                    idempotencyCacheEntries,
                    logCacheBytes,
                    clock,
                    fileIo);
        }
    }
}
