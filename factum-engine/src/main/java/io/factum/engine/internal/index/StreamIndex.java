package io.factum.engine.internal.index;

import io.factum.api.Direction;
import io.factum.api.InvalidInputException;
import io.factum.engine.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The persisted stream index: (stream, version) to global log position. Derived data: it is
 * persisted with an "indexed up to" checkpoint so that a restart re-indexes only the log's tail, and
 * it can always be rebuilt from the log ({@link #delete}, then {@link #add} for every record).
 *
 * <h2>Structure (LSM)</h2>
 *
 * New entries go to an in-memory <em>memtable</em> keyed by the real stream name. When it holds
 * {@link Options#memtableEntries} entries it is frozen and a background thread writes it to an
 * immutable, sorted <em>index file</em>; at most one frozen memtable waits (the writer blocks on the
 * next rotation until the previous flush is done). When there are more than {@link
 * Options#maxFilesBeforeMerge} files, a second background thread merges the newest files into one
 * (it takes the newest files while the next older one is no larger than those taken so far, so
 * each entry is rewritten O(log n) times). The set of live files and the checkpoint are recorded in
 * the {@code MANIFEST} (see {@link Manifest}), replaced atomically.
 *
 * <h2>Keys and hash collisions</h2>
 *
 * Files are keyed by a 64-bit hash of the UTF-8 stream name ({@link StreamHasher#mix64}), then the
 * version. Each file also stores the names of its streams, sorted by hash, so a lookup knows whether
 * the stream is the only name with its hash in that file. Only if it is not (a real collision,
 * about 3 in 10,000 for 10<sup>8</sup> streams) does the index ask the {@link StreamResolver} which
 * stream each candidate entry belongs to. The memtable is keyed by name and never needs it.
 *
 * <h2>Index file format (version 1; big-endian)</h2>
 *
 * <pre>
 * header     64 bytes: magic, format version, entry count, stream (name) count, min and max
 *            position (the file indexes the log up to max), file number; CRC32C
 * names      blocks of about 4 KiB: CRC32C, payload length, record count, then records
 *            (hash long, length int, UTF-8 bytes) in (hash, unsigned bytes) order
 * entries    4096-byte blocks: CRC32C, count, 170 x (hash, version, position) in (hash, version,
 *            position) order, zero padding
 * meta       entry fences (first hash, version of each entry block), the name-block index (first
 *            hash, offset of each name block), the bloom filter words
 * footer     68 bytes: section offsets and counts, bloom parameters, CRC32C of meta, magic; CRC32C
 * </pre>
 *
 * Each block has its own CRC because blocks are read one at a time, on demand: a whole-file CRC could
 * only be checked by reading the whole file. Header, footer and meta (everything held in memory) are
 * checked at open, and so is every block of the smallest files up to {@link Options#openCheckBytes}
 * in all; a block is checked every time it is read. Every byte of a file is covered by a checksum.
 * {@link #verify} checks every block, the ordering, and every entry against the log.
 *
 * <h2>Memory budget</h2>
 *
 * Files: 16 bytes of entry fence per 170 entries (0.09 B/entry), and per stream present in a file
 * its bloom bits ({@link Options#bloomBitsPerEntry}, 10 = 1.25 B) plus 16 bytes per ~4 KiB name
 * block (0.1 to 0.2 B): measured 1.44 B per single-entry stream. Memtables (the active one and at
 * most one frozen): 16 to 24 B per entry plus about 80 B per stream present (measured 23.6 B/entry
 * at 100 entries per stream, 98 B per single-entry stream), plus the name string when the caller
 * does not keep it. So 10<sup>8</sup> events in 10<sup>6</sup> streams need under 250 MB with the
 * defaults, and the worst case (10<sup>8</sup> streams of one event) about 0.6 GB at the peak of a
 * full merge; see {@code docs/internals/index.md}.
 *
 * <h2>Corruption</h2>
 *
 * A damaged manifest or file (bad checksum, truncation, inconsistent header, a damaged block within
 * the open-time check) makes {@link #open} throw a {@link CorruptIndexException} naming the file and
 * the byte offset, and the engine rebuilds the index from the log. Damage that open did not read
 * (a block of a large file) is met by a read, a lookup or a merge: the index then writes the
 * {@value #REBUILD_MARKER} marker durably, and that call (and every later one that meets damage)
 * throws a {@link CorruptIndexException} saying that the next open rebuilds the index; open refuses
 * a marked index, so a restart rebuilds it. The index never answers from damaged data.
 *
 * <h2>Thread-safety</h2>
 *
 * {@link #add}, {@link #flush} and {@link #close} are called by one thread, the store's writer.
 * {@link #lastVersion}, {@link #read} and the counters are safe from any thread, concurrently with
 * adds, flushes and merges. Readers work on an immutable {@link Snapshot} published through a
 * volatile reference; each transition keeps every entry visible, so a read sees every entry added
 * before it started. After a background IO error the index fails every later {@link #add} and
 * {@link #flush} with that first error (fail-stop); reads go on from what is in memory and on disk.
 */
public final class StreamIndex implements Closeable {

    /**
     * @param memtableEntries entries held in memory before they are flushed to a file
     * @param maxFilesBeforeMerge more files than this start a background merge
     * @param bloomBitsPerEntry bloom filter bits per distinct stream in a file (10 give about 1.1 %
     *     false positives: a lookup of a stream absent from a file reads it about once in 90)
     * @param openCheckBytes at open, every block of the smallest live files is read and checked, up
     *     to this many file bytes in all ({@link #DEFAULT_OPEN_CHECK_BYTES}; 0 checks no block)
     */
    public record Options(int memtableEntries, int maxFilesBeforeMerge, int bloomBitsPerEntry, long openCheckBytes) {

        public Options {
            if (memtableEntries < 1 || memtableEntries > 1 << 28) {
                throw new InvalidInputException("memtableEntries", memtableEntries, "must be in 1..2^28");
            }
            if (maxFilesBeforeMerge < 2 || maxFilesBeforeMerge > 64) {
                throw new InvalidInputException("maxFilesBeforeMerge", maxFilesBeforeMerge, "must be in 2..64");
            }
            if (bloomBitsPerEntry < 1 || bloomBitsPerEntry > 32) {
                throw new InvalidInputException("bloomBitsPerEntry", bloomBitsPerEntry, "must be in 1..32");
            }
            if (openCheckBytes < 0) {
                throw new InvalidInputException("openCheckBytes", openCheckBytes, "must be >= 0");
            }
        }

        /** The default {@link #openCheckBytes}. */
        public Options(int memtableEntries, int maxFilesBeforeMerge, int bloomBitsPerEntry) {
            this(memtableEntries, maxFilesBeforeMerge, bloomBitsPerEntry, DEFAULT_OPEN_CHECK_BYTES);
        }

        public static Options defaults() {
            return new Options(1 << 20, 8, 10);
        }
    }

    /**
     * Index file bytes whose blocks {@link #open} reads and checks by default: 64 MiB, the whole index
     * up to about 2.4 million entries (27 B per entry). A block is otherwise checked only when a read
     * reaches it, and that read fails (the index then marks itself for a rebuild at the next open);
     * checking at open turns the damage into a rebuild before any read fails. Reading the whole index
     * at every open would not do: 10<sup>7</sup> events make 270 MB of files, 10<sup>8</sup> make
     * 2.7 GB, and a restart must take well under 2 s. The check was measured at 30 to 55 ms per
     * 100 MB from the page cache ({@code StreamIndexMeasurementTest}, 2 busy cores), so 64 MiB adds
     * 20 to 35 ms to an open; from a cold disk it adds one sequential read of 64 MiB (about 0.3 s
     * at 200 MB/s). See {@code docs/internals/index.md}.
     */
    public static final long DEFAULT_OPEN_CHECK_BYTES = 64L << 20;

    /**
     * The file whose presence makes {@link #open} refuse the index, so that the engine rebuilds it:
     * written (and made durable) when a read, a lookup or a merge met a damaged block while the
     * index was open. Its text says what was found; only its existence matters.
     */
    static final String REBUILD_MARKER = "REBUILD";

    /** The longest marker text open quotes in its error. */
    private static final int MARKER_QUOTE_BYTES = 1024;

    /**
     * Resolves the stream name stored in the log at a position; used to tell apart two streams whose
     * 64-bit name hashes collide. Thread-safe.
     */
    @FunctionalInterface
    public interface StreamResolver extends KeyResolver {
        String streamAt(long position) throws IOException;

        @Override
        default boolean holds(String key, long position) throws IOException {
            return key.equals(streamAt(position));
        }
    }

    /**
     * Whether the record at a position carries a key: for the stream index, whether it belongs to
     * that stream; for an index of several keys per record (the tag and type index), whether the
     * record has that key. Used only to tell apart keys whose 64-bit hashes collide. Thread-safe.
     */
    @FunctionalInterface
    public interface KeyResolver {
        boolean holds(String key, long position) throws IOException;
    }

    /** One index entry of a stream (or key). */
    public record Entry(long version, long position) {}

    /**
     * What the log holds at a position, as {@link EntryChecker} reports it: the keys the record is
     * indexed under (its stream, for the stream index) and the version its entries carry.
     */
    public record LoggedEvent(List<String> keys, long version) {
        public LoggedEvent {
            keys = List.copyOf(keys);
        }

        /** A record indexed under its stream alone. */
        public LoggedEvent(String stream, long version) {
            this(List.of(stream), version);
        }

        /** The first key: the stream, for the stream index. */
        public String stream() {
            return keys.get(0);
        }
    }

    /**
     * Lets {@link #verify} compare each index entry with the log: the index checks that the record
     * at the entry's position belongs to a stream with the entry's hash (and to one of the names the
     * file lists for it) and has the entry's version.
     */
    @FunctionalInterface
    public interface EntryChecker {
        /** The stream and version of the record at position; empty when the log holds none there. */
        Optional<LoggedEvent> eventAt(long position) throws IOException;
    }

    /** Longest wait for background work at close; a merge notices the close within 4096 records. */
    private static final long STOP_TIMEOUT_SECONDS = 300;

    private final FileIo io;
    private final Path dir;
    private final Options options;
    private final KeyResolver resolver;
    private final StreamHasher hasher;

    /** Guards publication of {@link #current}; never held across IO. */
    private final Object stateLock = new Object();

    /** Serialises changes of the file set and the manifest writes (flusher and merger). */
    private final Object manifestLock = new Object();

    private final Object mergeMonitor = new Object();
    private volatile Snapshot current;
    private Manifest persisted; // guarded by manifestLock
    private final AtomicLong nextFileSeq;

    // Writer-thread state.
    private Memtable active;
    private long lastPosition;
    private Future<?> pendingFlush = java.util.concurrent.CompletableFuture.completedFuture(null);

    // Written by the writer thread only (release stores), read anywhere.
    private final AtomicLong indexedUpTo;
    private final AtomicLong entryCount;
    private final AtomicLong streamCount;

    private final ExecutorService flusher;
    private final ExecutorService merger;
    private final AtomicBoolean mergeScheduled = new AtomicBoolean();
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    /** Serialises writes of the rebuild marker (any thread that meets damage may write it). */
    private final Object markerLock = new Object();

    private volatile boolean markedForRebuild; // written under markerLock
    private volatile boolean closing;
    private volatile boolean closed;

    private StreamIndex(Opening opening, Options options, KeyResolver resolver, StreamHasher hasher) {
        Manifest manifest = opening.manifest();
        List<IndexFile> files = opening.files();
        this.io = opening.io();
        this.dir = opening.dir();
        this.options = options;
        this.resolver = resolver;
        this.hasher = hasher;
        this.persisted = manifest;
        this.nextFileSeq = new AtomicLong(manifest.nextFileSeq());
        this.active = new Memtable(1024);
        this.current = new Snapshot(active, Optional.empty(), files);
        this.lastPosition = manifest.indexedUpTo();
        this.indexedUpTo = new AtomicLong(manifest.indexedUpTo());
        this.entryCount = new AtomicLong(manifest.entryCount());
        this.streamCount = new AtomicLong(manifest.streamCount());
        this.flusher = singleThread("factum-index-flush");
        this.merger = singleThread("factum-index-merge");
    }

    private static ExecutorService singleThread(String name) {
        // One task runs and at most one waits: the writer never has two flushes outstanding, and a
        // merge is scheduled only when none is (mergeScheduled).
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens or creates a stream index in indexDir. Reads the manifest; never reads the log. */
    public static StreamIndex open(Path indexDir, Options options, StreamResolver resolver) throws IOException {
        return open(indexDir, options, (KeyResolver) resolver);
    }

    /** Opens or creates an index in indexDir. Reads the manifest; never reads the log. */
    public static StreamIndex open(Path indexDir, Options options, KeyResolver resolver) throws IOException {
        return open(indexDir, options, resolver, StreamHasher.DEFAULT);
    }

    /** As {@link #open(Path, Options, KeyResolver)}, with every file access through io. */
    public static StreamIndex open(Path indexDir, Options options, KeyResolver resolver, FileIo io) throws IOException {
        return open(indexDir, options, resolver, StreamHasher.DEFAULT, io);
    }

    /** Test seam: another hash function (tests force collisions with it). */
    static StreamIndex open(Path indexDir, Options options, KeyResolver resolver, StreamHasher hasher)
            throws IOException {
        return open(indexDir, options, resolver, hasher, FileIo.system());
    }

    static StreamIndex open(Path indexDir, Options options, KeyResolver resolver, StreamHasher hasher, FileIo io)
            throws IOException {
        io.createDirectoriesDurably(indexDir);
        checkNotMarked(io, indexDir);
        Manifest manifest = Manifest.read(io, indexDir).orElse(Manifest.empty());
        List<IndexFile> files = openFiles(io, indexDir, manifest, options.openCheckBytes());
        deleteOrphans(io, indexDir, manifest);
        StreamIndex index = new StreamIndex(new Opening(io, indexDir, manifest, files), options, resolver, hasher);
        index.maybeScheduleMerge();
        return index;
    }

    /** What open found on disk, for the constructor. */
    private record Opening(FileIo io, Path dir, Manifest manifest, List<IndexFile> files) {}

    /** Opens and checks every listed file, then the blocks of the smallest within the budget. */
    private static List<IndexFile> openFiles(FileIo io, Path dir, Manifest manifest, long checkBytes)
            throws IOException {
        List<IndexFile> files = new ArrayList<>();
        try {
            for (Manifest.FileRecord r : manifest.files()) {
                files.add(openListed(io, dir, r));
            }
            checkBlocks(files, checkBytes);
            return files;
        } catch (IOException | RuntimeException e) {
            for (IndexFile f : files) {
                f.closeChannel();
            }
            throw e;
        }
    }

    /**
     * Reads and checks every block of the smallest files, as long as their sizes add up to at most
     * budget bytes (see {@link #DEFAULT_OPEN_CHECK_BYTES} for why there is a budget). Smallest first:
     * they are the newest files (sizes grow geometrically from new to old), so the budget covers
     * the most files and the most recently written bytes, and an index within the budget is
     * checked whole. Damage in a larger file is found by the first read that reaches it.
     */
    private static void checkBlocks(List<IndexFile> files, long budget) throws IOException {
        List<IndexFile> bySize = new ArrayList<>(files);
        bySize.sort(Comparator.comparingLong(IndexFile::sizeBytes));
        long spent = 0;
        for (IndexFile f : bySize) {
            if (spent + f.sizeBytes() > budget) {
                return;
            }
            f.checkAllBlocks();
            spent += f.sizeBytes();
        }
    }

    /** Refuses an index that a read marked for rebuild, naming the marker and quoting it. */
    private static void checkNotMarked(FileIo io, Path dir) throws IOException {
        Path marker = dir.resolve(REBUILD_MARKER);
        ByteBuffer quote = ByteBuffer.allocate(MARKER_QUOTE_BYTES);
        try (FileChannel ch = io.open(marker, StandardOpenOption.READ)) {
            while (quote.hasRemaining()) {
                if (ch.read(quote, quote.position()) < 0) {
                    break; // a marker shorter than the quote
                }
            }
        } catch (NoSuchFileException e) {
            return;
        }
        byte[] text = Arrays.copyOf(quote.array(), quote.position());
        throw new CorruptIndexException(
                marker,
                0,
                "the index was marked for rebuild while it was open: "
                        + new String(text, StandardCharsets.UTF_8).strip());
    }

    private static IndexFile openListed(FileIo io, Path dir, Manifest.FileRecord r) throws IOException {
        Path path = dir.resolve(IndexFormat.fileName(r.seq()));
        if (!io.exists(path)) {
            throw new CorruptIndexException(path, 0, "listed in the manifest but missing");
        }
        long size = io.size(path);
        if (size != r.sizeBytes()) {
            throw new CorruptIndexException(
                    path,
                    Math.min(size, r.sizeBytes()),
                    "file has " + size + " bytes but the manifest recorded " + r.sizeBytes()
                            + " (truncated or replaced)");
        }
        IndexFile f = IndexFile.open(io, path, r.seq());
        var h = f.header();
        if (h.entryCount() != r.entryCount()
                || h.minPosition() != r.minPosition()
                || h.maxPosition() != r.maxPosition()) {
            f.closeChannel();
            throw new CorruptIndexException(path, 16, "header " + h + " does not match the manifest's " + r);
        }
        return f;
    }

    /** Files not in the manifest: an interrupted flush or merge, or a merge's inputs. */
    private static void deleteOrphans(FileIo io, Path dir, Manifest manifest) throws IOException {
        Set<Long> live = new HashSet<>();
        manifest.files().forEach(r -> live.add(r.seq()));
        boolean deleted = io.deleteIfExists(dir.resolve(Manifest.TMP_NAME));
        for (Path p : io.list(dir)) {
            Optional<Long> seq = IndexFormat.seqOf(p);
            if (seq.isPresent() && !live.contains(seq.get())) {
                deleted |= io.deleteIfExists(p);
            }
        }
        if (deleted) {
            io.fsyncDirectory(dir);
        }
    }

    /**
     * Every log position {@code <=} this is in the index (memtable or files); -1 when none. After
     * open it is the persisted value, and the caller replays the log from {@code indexedUpTo() + 1}.
     */
    public long indexedUpTo() {
        return indexedUpTo.get();
    }

    /**
     * Adds an entry. Writer thread only, with strictly increasing positions; versions of one stream
     * strictly increase (checked when the stream's previous entry is in the memtable). Versions are
     * any long {@code >= 0}, including {@code Long.MAX_VALUE} (the tombstone marker).
     */
    public void add(String stream, long version, long position) throws IOException {
        checkEntry(stream, version, position);
        checkWritable();
        addEntry(stream, version, position);
        publish(position, 1);
        if (version == 0) {
            streamCount.lazySet(streamCount.get() + 1);
        }
    }

    /**
     * Adds one entry per key, all at one position (a record indexed under several keys: its type and
     * its tags). Readers see {@link #indexedUpTo} reach the position only once every key is added,
     * so a reader bounded by it never misses one of the record's keys. Writer thread only.
     */
    public void add(List<String> keys, long version, long position) throws IOException {
        for (String key : keys) {
            checkEntry(key, version, position);
        }
        checkWritable();
        // One record's entries never straddle two memtables: index files cover disjoint position
        // ranges (the manifest checks it), so the memtable may run over by a record's few keys.
        if (active.entries() > 0 && active.entries() + keys.size() > options.memtableEntries()) {
            rotate();
        }
        for (String key : keys) {
            active.add(key, version, position);
        }
        publish(position, keys.size());
    }

    private void checkEntry(String key, long version, long position) {
        if (position <= lastPosition) {
            throw new IllegalArgumentException("position " + position + " is not after the last indexed position "
                    + lastPosition + " (positions must strictly increase)");
        }
        if (version < 0) {
            throw new IllegalArgumentException("stream '" + key + "': version " + version + " is negative");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty stream name at position " + position);
        }
    }

    private void addEntry(String key, long version, long position) throws IOException {
        if (active.entries() >= options.memtableEntries()) {
            rotate();
        }
        active.add(key, version, position);
    }

    private void publish(long position, int entries) {
        lastPosition = position;
        // Single writer: release stores are enough, and they are plain stores on x86.
        indexedUpTo.lazySet(position);
        entryCount.lazySet(entryCount.get() + entries);
    }

    /** Version of the stream's newest entry; -1 when the stream has none. Thread-safe. */
    public long lastVersion(String stream) throws IOException {
        Snapshot s = acquire();
        try {
            Optional<Memtable.Run> run = s.active.run(stream);
            if (run.isEmpty() && s.frozen.isPresent()) {
                run = s.frozen.get().run(stream);
            }
            if (run.isPresent()) {
                return run.get().lastVersion();
            }
            if (s.files.isEmpty()) {
                // No file to ask: skip encoding and hashing the name (every append looks up its
                // stream's metastream, which usually does not exist).
                return -1;
            }
            Key key = key(stream);
            for (IndexFile f : s.files) {
                long v = lastVersionIn(f, key);
                if (v >= 0) {
                    return v;
                }
            }
            return -1;
        } catch (CorruptIndexException e) {
            throw damaged(e);
        } finally {
            s.release();
        }
    }

    private long lastVersionIn(IndexFile f, Key key) throws IOException {
        IndexFile.Ownership ownership = f.ownership(key.hash, key.utf8);
        if (ownership == IndexFile.Ownership.ABSENT) {
            return -1;
        }
        long[] found = {-1};
        f.scanBackwards(key.hash, Long.MAX_VALUE, (version, position) -> {
            if (ownership == IndexFile.Ownership.SOLE || owns(key, position)) {
                found[0] = version;
                return false;
            }
            return true;
        });
        return found[0];
    }

    /**
     * Entries of the stream with version {@code >= fromVersion} (FORWARDS, ascending) or {@code <=
     * fromVersion} (BACKWARDS, descending; {@code Long.MAX_VALUE} starts at the newest), at most
     * {@code max}. Thread-safe.
     */
    public List<Entry> read(String stream, long fromVersion, Direction direction, int max) throws IOException {
        if (fromVersion < 0) {
            throw new IllegalArgumentException("fromVersion " + fromVersion + " is negative");
        }
        if (max < 0) {
            throw new IllegalArgumentException("max " + max + " is negative");
        }
        List<Entry> out = new ArrayList<>(Math.min(max, 256));
        if (max == 0) {
            return out;
        }
        Snapshot s = acquire();
        try {
            if (direction == Direction.FORWARDS) {
                readForwards(s, stream, fromVersion, max, out);
            } else {
                readBackwards(s, stream, fromVersion, max, out);
            }
            return out;
        } catch (CorruptIndexException e) {
            throw damaged(e);
        } finally {
            s.release();
        }
    }

    private void readForwards(Snapshot s, String stream, long from, int max, List<Entry> out) throws IOException {
        Optional<Memtable.View> act = s.active.run(stream).map(Memtable.Run::view);
        Optional<Memtable.View> frz = s.frozen.flatMap(m -> m.run(stream)).map(Memtable.Run::view);
        // An older source holds only versions below a newer source's first one, so a read that starts
        // at or after that version skips the older sources: a hot stream's read does no IO.
        boolean needFrozen = act.isEmpty() || act.get().version(0) > from;
        boolean needFiles = needFrozen && (frz.isEmpty() || frz.get().version(0) > from);
        if (needFiles && !s.files.isEmpty()) {
            Key key = key(stream);
            for (int i = s.files.size() - 1; i >= 0 && out.size() < max; i--) {
                scanFile(s.files.get(i), key, from, Direction.FORWARDS, max, out);
            }
        }
        if (needFrozen && frz.isPresent()) {
            Memtable.View v = frz.get();
            for (int i = v.firstAtLeast(from); i < v.size() && out.size() < max; i++) {
                out.add(new Entry(v.version(i), v.position(i)));
            }
        }
        if (act.isPresent()) {
            Memtable.View v = act.get();
            for (int i = v.firstAtLeast(from); i < v.size() && out.size() < max; i++) {
                out.add(new Entry(v.version(i), v.position(i)));
            }
        }
    }

    private void readBackwards(Snapshot s, String stream, long from, int max, List<Entry> out) throws IOException {
        Optional<Memtable.Run> act = s.active.run(stream);
        if (act.isPresent()) {
            collectBackwards(act.get().view(), from, max, out);
        }
        if (s.frozen.isPresent() && out.size() < max) {
            Optional<Memtable.Run> frz = s.frozen.get().run(stream);
            if (frz.isPresent()) {
                collectBackwards(frz.get().view(), from, max, out);
            }
        }
        if (out.size() < max && !s.files.isEmpty()) {
            Key key = key(stream);
            for (int i = 0; i < s.files.size() && out.size() < max; i++) {
                scanFile(s.files.get(i), key, from, Direction.BACKWARDS, max, out);
            }
        }
    }

    private static void collectBackwards(Memtable.View v, long from, int max, List<Entry> out) {
        int i = v.firstAtLeast(from);
        if (i == v.size() || v.version(i) != from) {
            i--;
        }
        for (; i >= 0 && out.size() < max; i--) {
            out.add(new Entry(v.version(i), v.position(i)));
        }
    }

    private void scanFile(IndexFile f, Key key, long from, Direction direction, int max, List<Entry> out)
            throws IOException {
        IndexFile.Ownership ownership = f.ownership(key.hash, key.utf8);
        if (ownership == IndexFile.Ownership.ABSENT) {
            return;
        }
        IndexFile.EntryVisitor visitor = (version, position) -> {
            if (ownership == IndexFile.Ownership.SOLE || owns(key, position)) {
                out.add(new Entry(version, position));
            }
            return out.size() < max;
        };
        if (direction == Direction.FORWARDS) {
            f.scanForwards(key.hash, from, visitor);
        } else {
            f.scanBackwards(key.hash, from, visitor);
        }
    }

    /** Only for hashes shared by several names in a file: asks the log whose entry this is. */
    private boolean owns(Key key, long position) throws IOException {
        return resolver.holds(key.name, position);
    }

    private record Key(String name, byte[] utf8, long hash) {}

    private Key key(String stream) {
        byte[] utf8 = IndexFormat.utf8(stream);
        return new Key(stream, utf8, hasher.hash(utf8));
    }

    // ---- flush and merge -----------------------------------------------------------------------

    /**
     * Persists the memtable now and updates indexedUpTo durably. Writer thread only (or after the
     * writer stopped).
     */
    public void flush() throws IOException {
        checkWritable();
        if (!active.isEmpty()) {
            rotate();
        }
        awaitFlush();
    }

    /** Freezes the active memtable and hands it to the flusher, after the previous flush is done. */
    private void rotate() throws IOException {
        awaitFlush();
        Memtable full = active;
        Memtable next = new Memtable(full.streams());
        synchronized (stateLock) {
            publish(new Snapshot(next, Optional.of(full), current.files));
        }
        active = next;
        pendingFlush = flusher.submit(() -> {
            flushFrozen(full);
            return null;
        });
    }

    private void awaitFlush() throws IOException {
        try {
            pendingFlush.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an index flush");
        } catch (ExecutionException e) {
            checkWritable(); // the flush recorded its error as the index's failure
            throw new IOException("index flush failed", e.getCause());
        }
    }

    private void flushFrozen(Memtable m) throws IOException {
        try {
            long seq = nextFileSeq.getAndIncrement();
            Path path = dir.resolve(IndexFormat.fileName(seq));
            FileBuilder.writeMemtable(io, path, seq, m, hasher, options.bloomBitsPerEntry());
            IndexFile file = IndexFile.open(io, path, seq);
            synchronized (manifestLock) {
                List<IndexFile> files = new ArrayList<>(current.files);
                files.add(0, file);
                writeManifest(
                        files,
                        m.lastPosition(),
                        persisted.entryCount() + m.entries(),
                        persisted.streamCount() + m.versionZeroAdds(),
                        file);
                synchronized (stateLock) {
                    Snapshot cur = current;
                    if (cur.frozen.orElse(null) != m) {
                        throw new IllegalStateException("flushed a memtable that is not the frozen one");
                    }
                    publish(new Snapshot(cur.active, Optional.empty(), files));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw fail(e);
        }
        maybeScheduleMerge();
    }

    /** Writes the next manifest; on failure closes fresh (the index is failed from then on). */
    private void writeManifest(List<IndexFile> files, long upTo, long entries, long streams, IndexFile fresh)
            throws IOException {
        List<Manifest.FileRecord> records = new ArrayList<>(files.size());
        for (IndexFile f : files) {
            var h = f.header();
            records.add(
                    new Manifest.FileRecord(f.seq(), f.sizeBytes(), h.entryCount(), h.minPosition(), h.maxPosition()));
        }
        Manifest next = new Manifest(persisted.generation() + 1, upTo, entries, streams, nextFileSeq.get(), records);
        try {
            next.write(io, dir);
        } catch (IOException | RuntimeException e) {
            // Whether the rename happened is unknown, so the file stays; the next open keeps or
            // deletes it according to the manifest it finds.
            fresh.closeChannel();
            throw e;
        }
        persisted = next;
    }

    private void publish(Snapshot next) {
        Snapshot prev = current;
        current = next;
        prev.retire();
    }

    private void maybeScheduleMerge() {
        // A marked index is rebuilt at the next open: merging it would rewrite files for nothing.
        if (closing
                || failure.get() != null
                || markedForRebuild
                || current.files.size() <= options.maxFilesBeforeMerge()) {
            return;
        }
        if (mergeScheduled.compareAndSet(false, true)) {
            try {
                merger.execute(this::runMerges);
            } catch (RejectedExecutionException e) {
                mergeScheduled.set(false); // shutting down
            }
        }
    }

    private void runMerges() {
        try {
            while (!closing && failure.get() == null && current.files.size() > options.maxFilesBeforeMerge()) {
                mergeOnce();
            }
        } catch (FileBuilder.MergeAborted e) {
            // The index is closing; the partial output was deleted.
        } catch (IOException | RuntimeException e) {
            fail(e);
        } finally {
            synchronized (mergeMonitor) {
                mergeScheduled.set(false);
                mergeMonitor.notifyAll();
            }
        }
        maybeScheduleMerge(); // a flush may have added a file after the loop's last check
    }

    private void mergeOnce() throws IOException {
        Snapshot s = acquire();
        try {
            List<IndexFile> window = mergeWindow(s.files);
            long seq = nextFileSeq.getAndIncrement();
            Path path = dir.resolve(IndexFormat.fileName(seq));
            try (IndexFileWriter out = new IndexFileWriter(io, path, seq, options.bloomBitsPerEntry())) {
                FileBuilder.merge(window, out, () -> closing);
            }
            IndexFile merged = IndexFile.open(io, path, seq);
            synchronized (manifestLock) {
                List<IndexFile> files = new ArrayList<>(current.files);
                int at = files.indexOf(window.get(0));
                if (at < 0 || !files.subList(at, at + window.size()).equals(window)) {
                    merged.closeChannel();
                    throw new IllegalStateException("merge inputs are no longer live: " + window);
                }
                files.subList(at, at + window.size()).clear();
                files.add(at, merged);
                writeManifest(files, persisted.indexedUpTo(), persisted.entryCount(), persisted.streamCount(), merged);
                window.forEach(IndexFile::markObsolete);
                synchronized (stateLock) {
                    Snapshot cur = current;
                    publish(new Snapshot(cur.active, cur.frozen, files));
                }
            }
        } finally {
            s.release();
        }
    }

    /**
     * The newest files, taking the next older one while it is no larger than all taken so far (at
     * least two). Sizes then grow geometrically from new to old, so an entry is rewritten about
     * log2(total / memtable) times in its life, not once per merge.
     */
    static List<IndexFile> mergeWindow(List<IndexFile> files) {
        long taken = files.get(0).sizeBytes() + files.get(1).sizeBytes();
        int n = 2;
        while (n < files.size() && files.get(n).sizeBytes() <= taken) {
            taken += files.get(n).sizeBytes();
            n++;
        }
        return List.copyOf(files.subList(0, n));
    }

    private IOException fail(Exception e) {
        IOException io =
                switch (e) {
                    case CorruptIndexException c -> damaged(c); // a merge met a damaged block
                    case IOException x -> x;
                    default -> new IOException("index background work failed", e);
                };
        failure.compareAndSet(null, io);
        return io;
    }

    // ---- damage found while open ---------------------------------------------------------------

    /**
     * Damage met in a file while the index is open: marks the index for a rebuild at the next open
     * (durably, once) and returns the error for the caller, which says so. Without the mark the
     * damaged block would fail every read that reaches it for ever, since open does not read every
     * block of a large index; with it the next open refuses the index and the engine rebuilds it
     * from the log. Thread-safe; the first caller writes the marker, later ones wait for it.
     */
    private CorruptIndexException damaged(CorruptIndexException found) {
        Path marker = dir.resolve(REBUILD_MARKER);
        try {
            markForRebuild(found, marker);
            return CorruptIndexException.markedForRebuild(found, marker);
        } catch (IOException e) {
            return CorruptIndexException.markingFailed(found, e);
        }
    }

    private void markForRebuild(CorruptIndexException found, Path marker) throws IOException {
        synchronized (markerLock) {
            if (markedForRebuild) {
                return;
            }
            byte[] text = IndexFormat.utf8(describe(found) + "\n");
            try (FileChannel ch = io.open(
                    marker,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            io.fsyncDirectory(dir); // the marker's name must survive a crash too
            markedForRebuild = true;
        }
        System.getLogger(StreamIndex.class.getName())
                .log(
                        System.Logger.Level.ERROR,
                        "the stream index is damaged and marked for rebuild; the next open rebuilds it from the log: "
                                + describe(found));
    }

    /** The damaged place and the problem, for the marker and the log (no advice: it varies). */
    private static String describe(CorruptIndexException found) {
        return "damage in " + found.file() + " at byte offset " + found.offset() + ": " + found.problem();
    }

    /** Whether damage was found while open and the index is marked for rebuild (tests, stats). */
    public boolean markedForRebuild() {
        return markedForRebuild;
    }

    private void checkWritable() throws IOException {
        if (closing || closed) {
            throw new IllegalStateException("the stream index in " + dir + " is closed");
        }
        IOException f = failure.get();
        if (f != null) {
            throw new IOException("the stream index in " + dir + " failed earlier; rebuild it after a restart", f);
        }
    }

    private Snapshot acquire() {
        while (true) {
            if (closed) {
                throw new IllegalStateException("the stream index in " + dir + " is closed");
            }
            Snapshot s = current;
            if (s.tryRetain()) {
                return s;
            }
            Thread.onSpinWait(); // a newer snapshot was published between the load and the retain
        }
    }

    // ---- counters ------------------------------------------------------------------------------

    public long entryCount() {
        return entryCount.get();
    }

    /** Distinct streams: the number of adds with version 0 (persisted with the checkpoint). */
    public long streamCount() {
        return streamCount.get();
    }

    public int fileCount() {
        return current.files.size();
    }

    public long sizeBytes() {
        return current.fileBytes();
    }

    /** Heap held for the live files (fences, name-block indexes, bloom filters), for the budget. */
    long fileHeapBytes() {
        long sum = 0;
        for (IndexFile f : current.files) {
            sum += f.heapBytes();
        }
        return sum;
    }

    /** Tests: waits until no merge is scheduled and the file count is within bounds (or failed). */
    void awaitMerges() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_SECONDS);
        synchronized (mergeMonitor) {
            while ((mergeScheduled.get() || current.files.size() > options.maxFilesBeforeMerge())
                    && failure.get() == null
                    && !closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("merges did not finish in " + STOP_TIMEOUT_SECONDS + " s");
                }
                mergeMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    // ---- verify, delete, close -----------------------------------------------------------------

    /**
     * Checks every index file of a closed index (checksums, ordering, header, footer, bloom filter,
     * names) and every entry against the log through checker; reports problems with file and offset.
     */
    public static IndexVerification verify(Path indexDir, EntryChecker checker) throws IOException {
        return verify(indexDir, checker, FileIo.system());
    }

    /** As {@link #verify(Path, EntryChecker)}, with every file access through io. */
    public static IndexVerification verify(Path indexDir, EntryChecker checker, FileIo io) throws IOException {
        return Verifier.verify(io, indexDir, checker, StreamHasher.DEFAULT);
    }

    static IndexVerification verify(Path indexDir, EntryChecker checker, StreamHasher hasher) throws IOException {
        return Verifier.verify(FileIo.system(), indexDir, checker, hasher);
    }

    /**
     * Why {@link #open} with default options would refuse the persisted index as it is now, or empty
     * when it would accept it; changes nothing on disk. Open checks the rebuild marker, the manifest,
     * each listed file's size, header, footer and meta section, and every block of the smallest
     * files within {@link #DEFAULT_OPEN_CHECK_BYTES}; blocks of larger files are checked only when a
     * read reaches them, so an empty answer says nothing about those: {@link #verify} does.
     */
    public static Optional<CorruptIndexException> openProblem(Path indexDir) throws IOException {
        return openProblem(indexDir, FileIo.system());
    }

    /** As {@link #openProblem(Path)}, with every file access through io. */
    public static Optional<CorruptIndexException> openProblem(Path indexDir, FileIo io) throws IOException {
        return openProblem(io, indexDir, DEFAULT_OPEN_CHECK_BYTES);
    }

    static Optional<CorruptIndexException> openProblem(Path indexDir, long openCheckBytes) throws IOException {
        return openProblem(FileIo.system(), indexDir, openCheckBytes);
    }

    private static Optional<CorruptIndexException> openProblem(FileIo io, Path indexDir, long openCheckBytes)
            throws IOException {
        if (!io.isDirectory(indexDir)) {
            return Optional.empty();
        }
        try {
            checkNotMarked(io, indexDir);
            Manifest manifest = Manifest.read(io, indexDir).orElse(Manifest.empty());
            for (IndexFile f : openFiles(io, indexDir, manifest, openCheckBytes)) {
                f.closeChannel();
            }
            return Optional.empty();
        } catch (CorruptIndexException e) {
            return Optional.of(e);
        }
    }

    /** The manifest file of the index in {@code indexDir} (see {@link Manifest} for its layout). */
    public static Path manifestPath(Path indexDir) {
        return indexDir.resolve(Manifest.NAME);
    }

    /**
     * Deletes every index file in indexDir, and then the rebuild marker (for a rebuild from the
     * log). The index must be closed.
     */
    public static void delete(Path indexDir) throws IOException {
        delete(indexDir, FileIo.system());
    }

    /** As {@link #delete(Path)}, with every file access through io. */
    public static void delete(Path indexDir, FileIo io) throws IOException {
        if (!io.isDirectory(indexDir)) {
            return;
        }
        // The manifest goes first: a crash part-way leaves no manifest, which opens as an empty index
        // whose leftover files are orphans, deleted at open. Its removal must be durable before any
        // file it lists goes, or a crash could bring back a manifest naming deleted files.
        io.deleteIfExists(indexDir.resolve(Manifest.NAME));
        io.deleteIfExists(indexDir.resolve(Manifest.TMP_NAME));
        io.fsyncDirectory(indexDir);
        for (Path p : io.list(indexDir)) {
            if (IndexFormat.seqOf(p).isPresent()) {
                io.deleteIfExists(p);
            }
        }
        io.fsyncDirectory(indexDir);
        // The marker goes last, once the rest is durably gone: a crash before this leaves it, and
        // the next open deletes and rebuilds again instead of trusting a half-deleted index.
        if (io.deleteIfExists(indexDir.resolve(REBUILD_MARKER))) {
            io.fsyncDirectory(indexDir);
        }
    }

    /** Flushes, stops background work and releases the files. Idempotent; writer thread. */
    @Override
    public void close() throws IOException {
        if (closing || closed) {
            return;
        }
        IOException error = null;
        try {
            if (failure.get() == null) {
                flush();
            }
        } catch (IOException e) {
            error = e;
        }
        stop(false);
        if (error != null) {
            throw error;
        }
    }

    /** Tests: stops as a crash would, without flushing; unflushed entries are lost (replayed later). */
    void abandon() throws IOException {
        if (!closing && !closed) {
            stop(true);
        }
    }

    private void stop(boolean interrupt) throws IOException {
        closing = true;
        if (interrupt) {
            flusher.shutdownNow();
            merger.shutdownNow();
        } else {
            flusher.shutdown();
            merger.shutdown();
        }
        try {
            boolean stopped = flusher.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    && merger.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!stopped) {
                throw new IOException("index background threads did not stop in " + STOP_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing the index");
        } finally {
            closed = true;
            synchronized (stateLock) {
                current.retire();
            }
        }
    }
}
