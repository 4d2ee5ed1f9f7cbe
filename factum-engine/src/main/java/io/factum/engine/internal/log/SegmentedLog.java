package io.factum.engine.internal.log;

import static io.factum.engine.internal.log.LogFormat.FRAME_HEADER_BYTES;
import static io.factum.engine.internal.log.LogFormat.FRAME_MAGIC;
import static io.factum.engine.internal.log.LogFormat.HEADER_BYTES;
import static io.factum.engine.internal.log.LogFormat.MAX_PAYLOAD_BYTES;
import static io.factum.engine.internal.log.LogFormat.PAYLOAD_PREFIX_BYTES;

import io.factum.api.RecordedEvent;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.engine.CorruptStoreException;
import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The segmented, CRC32C-framed, append-only log: the embedded engine's source of truth.
 *
 * <h2>Files in the log directory (segment format version 2, big-endian)</h2>
 *
 * <ul>
 *   <li>{@code segment-<first position, 20 digits>.log}: a 32-byte header — magic {@code "FLOG"},
 *       version, first position, 12 zero bytes, CRC32C of the first 28 bytes — then frames, then
 *       zeros: every segment but a new log's first is preallocated ({@link SegmentPreparer}) at its
 *       full size with real zero blocks, so group-commit fsyncs never journal a size change. The
 *       data ends at the first place where a frame would start but the bytes are zeros (or at the
 *       end of the file). A frame never spans segments; a segment is sealed once it reaches {@code
 *       segmentSizeBytes} (it may exceed it by one frame) and is then cut to its data end.
 *   <li>Frame = one atomic batch: magic {@code 0xF7C91A5E} (4), payload length (4), CRC32C of the
 *       payload (4), payload = first position (8), record count (4), records. Records are laid out
 *       as {@link RecordCodec} says (position, version, event id, created as seconds + nanos,
 *       content type, four lengths, stream, type, data, metadata, then the record's own CRC32C);
 *       positions are dense. A point read ({@link #read(long)}) checks only the record it returns
 *       (its CRC and structure); range reads, scans, recovery and verify check the frame CRC.
 *   <li>{@code segment-<first>.idx}: the sparse index of a sealed segment with its extent and a CRC
 *       ({@link Sidecar}); derived, rebuilt by a scan when missing or damaged.
 *   <li>{@code checkpoint}: a frame known durable (position, segment, offset, CRC; {@link
 *       Checkpoint}), replaced atomically by the first {@code flush()} into each segment, then at
 *       most about once per second by {@code flush()}, and at {@code close()}.
 *   <li>{@code log-start}: the log's first position ({@link LogStart}); absent means 0. Nothing
 *       writes it yet; it is for a scavenger that deletes segments from the front.
 * </ul>
 *
 * <h2>Recovery at open</h2>
 *
 * Segments and frames before the checkpoint frame are trusted: sealed segments are represented by
 * their sidecars and never read (only their 32-byte headers are checked), the active segment is
 * walked header by header, and the checkpoint frame itself is checked completely (past the end of the
 * file or invalid: {@link CorruptStoreException}). Everything after it is checked frame by frame
 * (magic, length, CRC32C, record structure, expected first position). At the first invalid frame,
 * if a valid frame for the expected position or a later one exists further on in the segment, the
 * damage is to acknowledged data and the log refuses to open ({@link CorruptStoreException} with
 * file and offset); otherwise that is the data end, and non-zero bytes after it are a torn tail
 * overwritten with zeros and fsynced (the search stops after 1 MiB of zeros; see {@link
 * FrameSearch#ZERO_GAP_BYTES}). Without a checkpoint every segment is scanned this way (sealed ones must be entirely
 * valid). The segments must be dense from the log's start (0, or what {@code log-start} says): a
 * missing first, middle or last segment is refused naming the missing file. The full rules are in
 * {@code docs/internals/storage.md}.
 *
 * <h2>Threads</h2>
 *
 * {@link #append}, {@link #flush}, {@link #nextPosition} and {@link #close} belong to one writer
 * thread. Every read method may be called from any thread, concurrently with the writer. Readers
 * only see records at or below {@link #durablePosition()}, which {@code flush()} publishes (through a
 * volatile write) after the frames are written and, with {@code fsync}, forced to stable storage.
 *
 * <h2>Failure</h2>
 *
 * Fail-stop: the first exception from writing, syncing, sealing or creating a segment fails the log
 * for good. The call that hit it throws that exception; every later {@code append}/{@code flush}
 * throws {@link StoreFailedException} with it as the cause, and the durable position never moves
 * again. An fsync is never retried: after a failed fsync the kernel may have dropped the dirty pages.
 * Reads of what was durable before keep working.
 */
public final class SegmentedLog implements Closeable {
    private static final System.Logger LOG = System.getLogger(SegmentedLog.class.getName());

    /** A checkpoint costs three fsyncs (file, rename, directory); once a second bounds that to noise. */
    private static final long CHECKPOINT_INTERVAL_NANOS = 1_000_000_000L;

    /**
     * The next segment's file is prepared once the active one holds a quarter of its size: early
     * enough that zero-filling 256 MiB (about a second) is done long before the roll even at 200 MB/s
     * of appends, late enough that a log that never writes much (tests, small stores) never pays
     * for a second segment of zeros.
     */
    private static final long PREPARE_AT_FRACTION = 4;

    /**
     * A segment whose file was not preallocated (the first segment of a new log, created small so
     * that a store that never writes much never pays for {@code segmentSizeBytes} of zeros; or one
     * written before preallocation existed) is sealed early, once it holds this much and the
     * prepared file is ready, so that a busy log reaches preallocated segments within seconds.
     */
    private static final long EARLY_ROLL_BYTES = 16L << 20;

    /** Holds a typical group commit; grows (never shrinks) to the largest frame seen. */
    private static final int INITIAL_WRITE_BUFFER_BYTES = 1 << 20;

    /**
     * @param segmentSizeBytes a segment is sealed once it holds at least this many bytes
     * @param fsync force frames to stable storage in every {@link #flush()}; when false, data is
     *     forced only when a segment is sealed, before a checkpoint and at close
     * @param cacheBytes most bytes of the newest log data kept in memory for readers ({@link
     *     LogCache}); 0 turns the cache off
     */
    public record Options(long segmentSizeBytes, boolean fsync, long cacheBytes) {
        public static final long MIN_SEGMENT_SIZE_BYTES = 256;

        /** The newest 64 MiB of the log: a few hundred thousand typical events. */
        public static final long DEFAULT_CACHE_BYTES = 64L << 20;

        public Options {
            if (segmentSizeBytes < MIN_SEGMENT_SIZE_BYTES) {
                throw new IllegalArgumentException(
                        "segmentSizeBytes is " + segmentSizeBytes + ", must be at least " + MIN_SEGMENT_SIZE_BYTES);
            }
            if (cacheBytes < 0) {
                throw new IllegalArgumentException("cacheBytes is " + cacheBytes + ", must be >= 0");
            }
        }

        /** With the default cache of the newest log bytes. */
        public Options(long segmentSizeBytes, boolean fsync) {
            this(segmentSizeBytes, fsync, DEFAULT_CACHE_BYTES);
        }
    }

    /** Receives one record's place during {@link #scan}. */
    @FunctionalInterface
    public interface IndexVisitor {
        void visit(long position, String stream, long version);
    }

    private final Path dir;
    private final Options options;
    private final FileIo io;
    /** Monotonic time for the "checkpoint about once per second" rule; tests move it by hand. */
    private final LongSupplier nanoClock;

    private final SegmentPreparer preparer;
    private final LogCache cache;

    // ---- published to readers ----
    private volatile Segment[] segments;
    private volatile long durablePosition;
    private volatile @Nullable Throwable failure;
    private volatile boolean closed;

    // ---- writer thread only ----
    private Segment active;
    private FileChannel activeChannel;
    /** Whether the active file was preallocated (is longer than its data). */
    private boolean activePreallocated;
    /** Bytes of the active segment written to its file; the write buffer continues from here. */
    private long writtenEnd;

    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(INITIAL_WRITE_BUFFER_BYTES);
    private long nextPosition;
    /** Newest encoded frame in the active segment (-1: none) and its last position. */
    private long lastFrameOffset;

    private long lastFramePosition;
    /** Newest frame in the active segment that flush() published (-1: none). */
    private long publishedFrameOffset;

    private long publishedFramePosition;
    private Optional<Checkpoint> lastCheckpoint;
    private long lastCheckpointNanos;
    private final CRC32C crc = new CRC32C();
    /** UTF-8 stream and type of each record of the frame being encoded: [2i] stream, [2i+1] type. */
    private final List<byte[]> encodedNames = new ArrayList<>();

    private SegmentedLog(Path dir, Options options, FileIo io, LongSupplier nanoClock, LogRecovery.Recovered recovered)
            throws IOException {
        this.dir = dir;
        this.options = options;
        this.io = io;
        this.nanoClock = nanoClock;
        this.cache = LogCache.ofBytes(options.cacheBytes());
        List<LogRecovery.SegmentState> states = recovered.segments();
        Segment[] opened = new Segment[states.size()];
        try {
            for (int i = 0; i < opened.length; i++) {
                LogRecovery.SegmentState state = states.get(i);
                opened[i] = new Segment(
                        state.path(),
                        state.firstPosition(),
                        state.index(),
                        new SegmentChannel(state.path(), io),
                        cache,
                        state.endOffset());
            }
            this.activeChannel =
                    io.open(opened[opened.length - 1].path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
        LogRecovery.SegmentState last = states.get(states.size() - 1);
        this.segments = opened;
        this.active = opened[opened.length - 1];
        this.writtenEnd = last.endOffset();
        this.nextPosition = last.lastPosition() + 1;
        this.durablePosition = last.lastPosition();
        this.lastFrameOffset = last.lastFrameOffset();
        this.lastFramePosition = last.lastPosition();
        this.publishedFrameOffset = lastFrameOffset;
        this.publishedFramePosition = lastFramePosition;
        this.lastCheckpoint = recovered.checkpoint();
        this.lastCheckpointNanos = nanoClock.getAsLong();
        this.activePreallocated = activeChannel.size() > writtenEnd;
        this.preparer = new SegmentPreparer(dir, io, options.segmentSizeBytes());
    }

    /** Opens or creates the log in {@code logDir} (creating the directory) and runs recovery. */
    public static SegmentedLog open(Path logDir, Options options) throws IOException {
        return open(logDir, options, FileIo.system());
    }

    /** As {@link #open(Path, Options)}, with every file access through io. */
    public static SegmentedLog open(Path logDir, Options options, FileIo io) throws IOException {
        return open(logDir, options, io, System::nanoTime);
    }

    static SegmentedLog open(Path logDir, Options options, FileIo io, LongSupplier nanoClock) throws IOException {
        Path dir = logDir.toAbsolutePath();
        io.createDirectoriesDurably(dir);
        LogRecovery.Recovered recovered = LogRecovery.recover(dir, io);
        SegmentedLog log = new SegmentedLog(dir, options, io, nanoClock, recovered);
        LOG.log(
                Level.DEBUG,
                "opened log {0}: {1} segments, durable position {2}",
                dir,
                String.valueOf(log.segmentCount()),
                String.valueOf(log.durablePosition()));
        return log;
    }

    // ------------------------------------------------------------------ writer side

    /**
     * Encodes one frame (one atomic batch) into the write buffer. Nothing is visible to readers or
     * durable until {@link #flush()}. Rolls to a new segment first when the active one is full.
     *
     * @param records positions {@code nextPosition() .. nextPosition() + size - 1}, in order
     * @throws IllegalStateException when a record's position is not the next one (a caller bug;
     *     nothing is written)
     * @throws IllegalArgumentException for an empty batch, a negative version, or a batch over 1 GiB
     */
    public void append(List<RecordedEvent> records) throws IOException {
        checkWritable();
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a frame needs at least one record");
        }
        for (int i = 0; i < records.size(); i++) {
            long position = records.get(i).position();
            if (position != nextPosition + i) {
                throw new IllegalStateException(
                        "record " + i + " has position " + position + ", the log expects " + (nextPosition + i));
            }
        }
        int payloadBytes = encodeNames(records);
        try {
            long end = writtenEnd + writeBuffer.position();
            boolean full = end >= options.segmentSizeBytes();
            boolean upgrade = !activePreallocated && end >= EARLY_ROLL_BYTES && preparer.ready();
            if ((full || upgrade) && lastFrameOffset >= 0) {
                roll();
            }
            encodeFrame(records, payloadBytes);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /**
     * Writes every buffered frame, forces it to stable storage when {@code options.fsync()}, and then
     * publishes the new durable position to readers. One flush after many appends is a group commit.
     */
    public void flush() throws IOException {
        checkWritable();
        if (nextPosition - 1 == durablePosition) {
            return;
        }
        try {
            spill();
            if (options.fsync()) {
                activeChannel.force(false);
            }
            // The first flush into a segment always checkpoints: from the first acknowledged frame of
            // a segment on, the checkpoint names that segment, so losing the file is refused at open
            // instead of looking like a crash right after the previous segment was sealed.
            if (nanoClock.getAsLong() - lastCheckpointNanos >= CHECKPOINT_INTERVAL_NANOS || !checkpointNamesActive()) {
                checkpointNewestFrame(lastFrameOffset, lastFramePosition);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
        active.publishReadableEnd(writtenEnd);
        publishedFrameOffset = lastFrameOffset;
        publishedFramePosition = lastFramePosition;
        durablePosition = nextPosition - 1;
    }

    /**
     * Forces every flushed frame to stable storage and checkpoints the newest one: what a log
     * written without per-flush fsync does when its owner needs a durable point (a replica before
     * it lets its Raft log be purged). Frames appended but not flushed are not covered.
     */
    public void sync() throws IOException {
        checkWritable();
        try {
            activeChannel.force(false);
            checkpointNewestFrame(publishedFrameOffset, publishedFramePosition);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /** The position the next appended record must carry. Writer thread only. */
    public long nextPosition() {
        return nextPosition;
    }

    /** The last names encoded, reused while consecutive records repeat them. Writer thread only. */
    private String lastStream = "";

    private byte[] lastStreamBytes = new byte[0];
    private String lastType = "";
    private byte[] lastTypeBytes = new byte[0];

    private int encodeNames(List<RecordedEvent> records) {
        encodedNames.clear();
        long payload = PAYLOAD_PREFIX_BYTES;
        for (RecordedEvent record : records) {
            if (record.version() < 0) {
                throw new IllegalArgumentException("record at position " + record.position() + " has version "
                        + record.version() + ", must be >= 0");
            }
            // A batch usually repeats one stream and one type: encode each distinct name once.
            if (!record.stream().equals(lastStream)) {
                lastStream = record.stream();
                lastStreamBytes = lastStream.getBytes(StandardCharsets.UTF_8);
            }
            if (!record.type().equals(lastType)) {
                lastType = record.type();
                lastTypeBytes = lastType.getBytes(StandardCharsets.UTF_8);
            }
            byte[] stream = lastStreamBytes;
            byte[] type = lastTypeBytes;
            encodedNames.add(stream);
            encodedNames.add(type);
            payload += RecordCodec.encodedSize(stream, type, record);
        }
        if (payload > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException(
                    "a frame of " + payload + " bytes exceeds the limit of " + MAX_PAYLOAD_BYTES + " bytes");
        }
        return (int) payload;
    }

    private void encodeFrame(List<RecordedEvent> records, int payloadBytes) throws IOException {
        int frameBytes = FRAME_HEADER_BYTES + payloadBytes;
        ensureRoom(frameBytes);
        long frameOffset = writtenEnd + writeBuffer.position();
        int start = writeBuffer.position();
        writeBuffer.putInt(FRAME_MAGIC).putInt(payloadBytes).putInt(0);
        writeBuffer.putLong(nextPosition).putInt(records.size());
        for (int i = 0; i < records.size(); i++) {
            cache.putRecordOffset(nextPosition + i, writtenEnd + writeBuffer.position());
            RecordCodec.encode(writeBuffer, records.get(i), encodedNames.get(2 * i), encodedNames.get(2 * i + 1), crc);
        }
        int end = writeBuffer.position();
        if (end - start != frameBytes) {
            throw new IllegalStateException("encoded " + (end - start) + " frame bytes, computed " + frameBytes);
        }
        crc.reset();
        crc.update(writeBuffer.position(start + FRAME_HEADER_BYTES).limit(end));
        writeBuffer.limit(writeBuffer.capacity()).position(end);
        writeBuffer.putInt(start + 8, (int) crc.getValue());
        active.index().addIfDue(nextPosition, frameOffset);
        lastFrameOffset = frameOffset;
        nextPosition += records.size();
        lastFramePosition = nextPosition - 1;
    }

    private void ensureRoom(int frameBytes) throws IOException {
        if (writeBuffer.remaining() >= frameBytes) {
            return;
        }
        spill();
        if (writeBuffer.capacity() < frameBytes) {
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(frameBytes, 2L * writeBuffer.capacity()));
            writeBuffer = ByteBuffer.allocateDirect(grown);
        }
    }

    /** Writes the buffered frames to the active file (not yet forced, not yet visible). */
    private void spill() throws IOException {
        if (writeBuffer.position() == 0) {
            return;
        }
        writeBuffer.flip();
        int bytes = writeBuffer.remaining();
        LogFiles.writeFully(activeChannel, writeBuffer, writtenEnd);
        cache.put(active, writtenEnd, writeBuffer, 0, bytes);
        writtenEnd += bytes;
        writeBuffer.clear();
        long prepareAt = options.segmentSizeBytes() / PREPARE_AT_FRACTION;
        if (writtenEnd >= (activePreallocated ? prepareAt : Math.min(prepareAt, EARLY_ROLL_BYTES))) {
            preparer.request();
        }
    }

    /**
     * Seals the active segment and starts the next one: write everything, cut the file to its data
     * end (it was preallocated) and force it (even without {@code fsync}: the segment must be
     * entirely valid once a later one exists, and recovery checks every frame of a sealed segment
     * that no checkpoint covers), write the sidecar, then start the new segment durably. No
     * checkpoint here: the next {@link #flush()} writes one naming the new segment.
     */
    private void roll() throws IOException {
        spill();
        // A sealed segment ends at its data: its sidecar, verify and every scan of it take the file
        // size as its end, as before preallocation. The truncate is made durable by the force
        // below, before the next segment exists.
        if (activeChannel.size() > writtenEnd) {
            activeChannel.truncate(writtenEnd);
        }
        activeChannel.force(false);
        Segment sealed = active;
        sealed.publishReadableEnd(writtenEnd);
        new Sidecar(
                        sealed.firstPosition(),
                        nextPosition - 1,
                        writtenEnd,
                        lastFrameOffset,
                        sealed.index().view())
                .write(io, dir);
        activeChannel.close();
        FileChannel created = startSegment(nextPosition);
        Path path = dir.resolve(LogFormat.segmentFileName(nextPosition));
        SegmentChannel reader;
        try {
            reader = new SegmentChannel(path, io);
        } catch (IOException | RuntimeException e) {
            created.close();
            throw e;
        }
        activeChannel = created;
        activePreallocated = true;
        active = new Segment(path, nextPosition, new SparseIndex(), reader, cache, HEADER_BYTES);
        Segment[] grown = Arrays.copyOf(segments, segments.length + 1);
        grown[grown.length - 1] = active;
        segments = grown;
        writtenEnd = HEADER_BYTES;
        lastFrameOffset = -1;
        publishedFrameOffset = -1;
        LOG.log(Level.DEBUG, "sealed {0}, started {1}", sealed.path(), path);
    }

    /**
     * Turns the prepared zero-filled file into segment {@code firstPosition}: header written and
     * forced while the file still has its temporary name, then the rename and the directory fsync. A
     * crash before the rename leaves a {@code .tmp} file that open deletes; after it, a segment with
     * a valid header and only zeros after it: an empty segment. So no torn header can arise.
     *
     * @return the segment's channel, open for reading and writing
     */
    private FileChannel startSegment(long firstPosition) throws IOException {
        Path prepared = preparer.take();
        Path target = dir.resolve(LogFormat.segmentFileName(firstPosition));
        if (io.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "the next segment exists");
        }
        FileChannel channel = io.open(prepared, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            LogFiles.writeFully(channel, LogFormat.encodeHeader(firstPosition), 0);
            channel.force(false);
            io.move(prepared, target);
            io.fsyncDirectory(dir);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private boolean checkpointNamesActive() {
        return lastCheckpoint
                .map(c -> c.segmentFirstPosition() == active.firstPosition())
                .orElse(false);
    }

    /** Writes a checkpoint naming the given frame of the active segment when it is new. */
    private void checkpointNewestFrame(long frameOffset, long framePosition) throws IOException {
        if (frameOffset < 0
                || lastCheckpoint.map(c -> c.position() >= framePosition).orElse(false)) {
            return;
        }
        if (!options.fsync()) {
            // Without per-flush fsync the frame may still be only in the page cache; the checkpoint
            // must never vouch for bytes that are not on stable storage.
            activeChannel.force(false);
        }
        writeCheckpoint(new Checkpoint(framePosition, active.firstPosition(), frameOffset));
    }

    private void writeCheckpoint(Checkpoint checkpoint) throws IOException {
        checkpoint.write(io, dir);
        lastCheckpoint = Optional.of(checkpoint);
        lastCheckpointNanos = nanoClock.getAsLong();
    }

    private void checkWritable() {
        if (closed) {
            throw new StoreClosedException("the log in " + dir + " is closed");
        }
        Throwable first = failure;
        if (first != null) {
            throw new StoreFailedException(
                    "the log in " + dir + " failed and accepts no more writes; first error: " + first, first);
        }
    }

    private void fail(Throwable error) {
        if (failure == null) {
            failure = error;
            LOG.log(Level.ERROR, "log " + dir + " failed; it accepts no more writes", error);
        }
    }

    // ------------------------------------------------------------------ readers

    /** Highest position that is durable and visible to readers; -1 when the log is empty. */
    public long durablePosition() {
        return durablePosition;
    }

    /** Records with position {@code >= fromPosition}, ascending, at most {@code maxRecords}. */
    public List<RecordedEvent> readForward(long fromPosition, int maxRecords) throws IOException {
        checkReadable(fromPosition, maxRecords);
        long durable = durablePosition;
        if (fromPosition > durable || maxRecords == 0) {
            return List.of();
        }
        Segment[] segs = segments;
        List<RecordedEvent> out = new ArrayList<>((int) Math.min(maxRecords, durable - fromPosition + 1));
        long next = Math.max(fromPosition, segs[0].firstPosition());
        for (int i = segmentIndex(segs, next); i < segs.length && out.size() < maxRecords && next <= durable; i++) {
            next = segs[i].readForward(next, durable, maxRecords, out, Segment.READ_CHUNK_BYTES);
        }
        return out;
    }

    /**
     * Records with position {@code <= fromPosition} ({@code Long.MAX_VALUE}: from the head),
     * descending, at most {@code maxRecords}.
     */
    public List<RecordedEvent> readBackward(long fromPosition, int maxRecords) throws IOException {
        checkReadable(0, maxRecords);
        long durable = durablePosition;
        long next = Math.min(fromPosition, durable);
        if (next < 0 || maxRecords == 0) {
            return List.of();
        }
        Segment[] segs = segments;
        List<RecordedEvent> out = new ArrayList<>((int) Math.min(maxRecords, next + 1));
        int i = segmentIndex(segs, next);
        while (out.size() < maxRecords && i >= 0 && next >= segs[0].firstPosition()) {
            if (next < segs[i].firstPosition()) {
                i--;
            } else {
                next = segs[i].readBackwardStep(next, maxRecords - out.size(), out);
            }
        }
        return out;
    }

    /**
     * The record at exactly {@code position}, which must be durable. Checks only that record (its
     * structure and CRC32C), not the rest of its frame: see {@link Segment#read(long)}.
     */
    public RecordedEvent read(long position) throws IOException {
        checkReadable(position, 1);
        long durable = durablePosition;
        Segment[] segs = segments;
        if (position > durable || position < segs[0].firstPosition()) {
            throw new IllegalArgumentException("position " + position + " is not in the log (durable positions are "
                    + segs[0].firstPosition() + ".." + durable + ")");
        }
        return segs[segmentIndex(segs, position)].read(position);
    }

    /**
     * The records at {@code positions[0..count)}, each durable, added to {@code out} in that order.
     * Reads of recent records are bound by memory latency (each is somewhere in the log cache), so
     * the first pass only touches where each record starts, letting the processor overlap those
     * cache misses; the second decodes them as {@link #read(long)} does.
     */
    public void readAll(long[] positions, int count, List<RecordedEvent> out) throws IOException {
        Segment[] segs = segments;
        long durable = durablePosition;
        int touched = 0;
        for (int i = 0; i < count; i++) {
            long position = positions[i];
            if (position <= durable && position >= segs[0].firstPosition()) {
                touched += segs[segmentIndex(segs, position)].touch(position);
            }
        }
        prefetchSink = touched;
        for (int i = 0; i < count; i++) {
            out.add(read(positions[i]));
        }
    }

    /** Keeps the touches of {@link #readAll} from being optimised away; never read. */
    @SuppressWarnings("unused")
    private int prefetchSink;

    /**
     * Calls {@code visitor} for every durable record with position {@code >= fromPosition}, in order,
     * without materialising data or metadata; each frame's CRC is still checked.
     */
    public void scan(long fromPosition, IndexVisitor visitor) throws IOException {
        checkReadable(fromPosition, 0);
        long durable = durablePosition;
        Segment[] segs = segments;
        long next = Math.max(fromPosition, segs[0].firstPosition());
        for (int i = segmentIndex(segs, next); i < segs.length && next <= durable; i++) {
            next = segs[i].scan(next, durable, visitor);
        }
    }

    /** Whether the next segment's file is prepared and waiting (for tests). */
    boolean nextSegmentPrepared() {
        return preparer.ready();
    }

    public int segmentCount() {
        return segments.length;
    }

    /**
     * Bytes of data readers can see in all segments (headers and frames, not the preallocated zeros
     * after the active segment's data); excludes unflushed frames.
     */
    public long sizeBytes() {
        long total = 0;
        for (Segment segment : segments) {
            total += segment.readableEnd();
        }
        return total;
    }

    /** Checks every frame of every segment of a closed log, and its sidecars and checkpoint. */
    public static LogVerification verify(Path logDir) throws IOException {
        return verify(logDir, FileIo.system());
    }

    /** As {@link #verify(Path)}, with every file access through io. */
    public static LogVerification verify(Path logDir, FileIo io) throws IOException {
        return LogVerifier.verify(logDir.toAbsolutePath(), io);
    }

    private void checkReadable(long position, int maxRecords) {
        if (closed) {
            throw new StoreClosedException("the log in " + dir + " is closed");
        }
        if (position < 0) {
            throw new IllegalArgumentException("position is " + position + ", must be >= 0");
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("maxRecords is " + maxRecords + ", must be >= 0");
        }
    }

    /** Index of the last segment whose first position is {@code <= position} (0 when none is). */
    private static int segmentIndex(Segment[] segs, long position) {
        int low = 0;
        int high = segs.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (segs[mid].firstPosition() <= position) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the log. Flushes nothing: frames appended to the active segment since the last {@link
     * #flush()} are discarded (cut from the file when they were already written). Frames that a
     * segment roll sealed are already on disk and stay, unacknowledged: an append that was never
     * acknowledged may or may not be present after a reopen. When healthy, writes a checkpoint naming
     * the newest published frame, so the next open scans nothing. Idempotent; must not run
     * concurrently with the writer; reads after close throw {@link StoreClosedException}.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException error = null;
        if (failure == null) {
            try {
                discardUnflushed();
                checkpointNewestFrame(publishedFrameOffset, publishedFramePosition);
            } catch (IOException e) {
                fail(e);
                error = e;
            }
        }
        try {
            preparer.close();
            closeQuietly(segments, error);
            activeChannel.close();
        } catch (IOException e) {
            error = error == null ? e : error;
        }
        if (error != null) {
            throw error;
        }
    }

    private void discardUnflushed() throws IOException {
        writeBuffer.clear();
        long keep = active.readableEnd();
        if (writtenEnd > keep) {
            // Zeros, not a truncate: the file stays preallocated, and zeros where a frame would start
            // are the clean end of the data at the next open.
            LogFiles.writeZeros(activeChannel, keep, writtenEnd);
            activeChannel.force(false);
            writtenEnd = keep;
        }
    }

    private static void closeQuietly(Segment[] opened, @Nullable Throwable primary) throws IOException {
        IOException first = null;
        for (Segment segment : opened) {
            if (segment == null) {
                continue;
            }
            try {
                segment.close();
            } catch (IOException e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
