package io.factum.engine;

import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

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
        Clock clock,
        FileIo fileIo) {

    public static final long DEFAULT_SEGMENT_SIZE_BYTES = 256L << 20;

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
    }

    /** The options as before {@code fileIo} existed: the real file system. */
    public EngineOptions(
            Path dataDir,
            StoreLimits limits,
            Durability durability,
            long segmentSizeBytes,
            int writeQueueCapacity,
            long writeQueueBytes,
            int indexMemtableEntries,
            int idempotencyCacheEntries,
            Clock clock) {
        this(
                dataDir,
                limits,
                durability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                clock,
                FileIo.system());
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
                Clock.systemUTC());
    }

    public EngineOptions withLimits(StoreLimits newLimits) {
        return new EngineOptions(
                dataDir,
                newLimits,
                durability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                clock,
                fileIo);
    }

    public EngineOptions withDurability(Durability newDurability) {
        return new EngineOptions(
                dataDir,
                limits,
                newDurability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                clock,
                fileIo);
    }

    public EngineOptions withSegmentSizeBytes(long bytes) {
        return new EngineOptions(
                dataDir,
                limits,
                durability,
                bytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                clock,
                fileIo);
    }

    public EngineOptions withIndexMemtableEntries(int entries) {
        return new EngineOptions(
                dataDir,
                limits,
                durability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                entries,
                idempotencyCacheEntries,
                clock,
                fileIo);
    }

    public EngineOptions withClock(Clock newClock) {
        return new EngineOptions(
                dataDir,
                limits,
                durability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                newClock,
                fileIo);
    }

    public EngineOptions withFileIo(FileIo newFileIo) {
        return new EngineOptions(
                dataDir,
                limits,
                durability,
                segmentSizeBytes,
                writeQueueCapacity,
                writeQueueBytes,
                indexMemtableEntries,
                idempotencyCacheEntries,
                clock,
                newFileIo);
    }
}
