package io.factum.engine;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.InvalidInputException;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.engine.internal.store.CommitNotifier;
import io.factum.engine.internal.store.CommittedState;
import io.factum.engine.internal.store.QueryReads;
import io.factum.engine.internal.store.Reads;
import io.factum.engine.internal.store.Subscriptions;
import io.factum.engine.internal.store.Writer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * The embedded event store: a durable {@link EventStore} in a local data directory.
 *
 * <p>Layout of the data directory: {@code LOCK} (held while open), {@code log/} (segments, see
 * {@code docs/internals/storage.md}), {@code index/} (the persisted stream index, derived from the
 * log), {@code tag-index/} (the persisted index of event types and tags, for reads by query and
 * append conditions; derived from the log too). Appends go through one writer thread with group commit; an append returns once its frame
 * is fsynced (with {@link Durability#FSYNC}) and indexed. Reads and subscriptions run on the
 * callers' threads and on virtual threads and never see records that are not yet durable.
 *
 * <p>Read-only after a write failure: the first IO error while writing, syncing or indexing fails
 * the writer for good (an fsync is never retried), and from then on every write ({@code append},
 * {@code appendMulti}, metadata, deletes) fails with {@link StoreFailedException} naming the cause,
 * while reads, reads by query, subscriptions' catch-up and {@link #stats()} keep serving what was
 * durable before. {@link #readOnly()} tells whether and why; reopening the store (once the cause,
 * say a full disk, is fixed) makes it writable again.
 *
 * <p>Thread-safe.
 */
public final class EmbeddedEventStore implements EventStore {
    private final EngineOptions options;
    private final Storage storage;
    private final Writer writer;
    private final Reads reads;
    private final QueryReads queries;
    private final Subscriptions subscriptions;
    private final CommitNotifier notifier;
    private final boolean replica;
    private volatile boolean closed;

    private EmbeddedEventStore(EngineOptions options, Storage storage, boolean replica) {
        this.replica = replica;
        this.options = options;
        this.storage = storage;
        this.notifier = new CommitNotifier();
        this.queries = new QueryReads(storage.log(), storage.indexes().tags());
        CommittedState state = new CommittedState(storage.log(), storage.index(), queries);
        this.reads = new Reads(storage.log(), storage.index(), state, options.clock());
        this.subscriptions = new Subscriptions(storage.log(), storage.index(), state, options.clock(), notifier);
        this.writer = new Writer(
                storage.log(),
                storage.indexes(),
                state,
                options.idempotencyCacheEntries(),
                replica ? Replica.window(options) : 0,
                options.clock(),
                options.writeQueueCapacity(),
                options.writeQueueBytes(),
                notifier::signal);
    }

    /**
     * Opens (or creates) the store in {@code options.dataDir()}: takes the directory lock, recovers
     * the log (truncating a torn tail), and brings the index up to date with the log.
     *
     * @throws DataDirectoryLockedException when another process has the directory open
     * @throws CorruptStoreException when acknowledged data is damaged
     */
    public static EmbeddedEventStore open(EngineOptions options) throws IOException {
        return open(options, false);
    }

    /**
     * Opens the store; a replica's writer thread is never started: {@link Replica} applies writes
     * on its caller's thread, and the store's own write methods refuse.
     */
    static EmbeddedEventStore open(EngineOptions options, boolean replica) throws IOException {
        Storage storage = Storage.open(options);
        try {
            EmbeddedEventStore store = new EmbeddedEventStore(options, storage, replica);
            int seed = replica ? (int) Replica.window(options) : options.idempotencyCacheEntries();
            store.writer.rememberCommitted(storage.newestRecords(seed));
            if (!replica) {
                store.writer.start();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /** The writer, for a {@link Replica} to apply through. */
    Writer writer() {
        return writer;
    }

    /**
     * Checks every file of a closed store without changing anything on disk: every log segment,
     * frame, sidecar and the checkpoint, then every index file and every index entry against the
     * log. Holds the directory lock while it runs (without rewriting the LOCK file).
     *
     * @return every problem found, with file and byte offset; {@link VerifyReport#ok()} when none
     * @throws DataDirectoryLockedException when a store has the directory open
     * @throws java.nio.file.NoSuchFileException when {@code dataDir} or its log directory is missing
     */
    public static VerifyReport verify(Path dataDir) throws IOException {
        return verify(dataDir, FileIo.system());
    }

    /** As {@link #verify(Path)}, with every file access through io (a simulated disk in tests). */
    public static VerifyReport verify(Path dataDir, FileIo io) throws IOException {
        return Storage.verify(dataDir, io);
    }

    /**
     * Deletes the persisted index of a closed store and rebuilds it from the log alone.
     *
     * @return the number of records indexed
     */
    public static long rebuildIndex(EngineOptions options) throws IOException {
        return Storage.rebuildIndex(options);
    }

    public EngineStats stats() {
        checkOpen();
        return storage.stats(
                writer.commandsCommitted(),
                writer.syncs(),
                writer.queueDepth(),
                writer.flushLatency(),
                writer.failureReason());
    }

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        checkWritable();
        return await(writer.submit(WriteCommand.append(stream, expected, events, options.limits())))
                .get(0);
    }

    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        checkWritable();
        return await(writer.submit(WriteCommand.append(appends, condition, options.limits())));
    }

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        checkOpen();
        options.limits().checkStreamName("stream", stream);
        options.limits().checkReadCount(maxCount);
        if (fromVersion < 0) {
            throw new InvalidInputException("fromVersion", fromVersion, "must be >= 0");
        }
        return reads.readStream(stream, fromVersion, direction, maxCount);
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions readOptions) {
        checkOpen();
        options.limits().checkReadCount(readOptions.maxCount());
        return reads.readAll(readOptions);
    }

    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        checkOpen();
        options.limits().checkQuery("query", query);
        options.limits().checkReadCount(maxCount);
        if (fromPosition < 0) {
            throw new InvalidInputException("fromPosition", fromPosition, "must be >= 0");
        }
        return queries.read(query, fromPosition, direction, maxCount);
    }

    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        options.limits().checkQuery("query", query);
        return subscriptions.toQuery(query, from, listener);
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        checkOpen();
        options.limits().checkStreamName("stream", stream);
        return subscriptions.toStream(stream, from, listener);
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions subscribeOptions, SubscriptionListener listener) {
        checkOpen();
        return subscriptions.toAll(subscribeOptions, listener);
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        checkOpen();
        WriteCommand.checkOrdinaryStream(stream, options.limits());
        return reads.metadata(stream);
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        checkWritable();
        return await(writer.submit(WriteCommand.setMetadata(stream, expected, metadata, options.limits())))
                .get(0);
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        checkWritable();
        return new DeleteResult(await(writer.submit(WriteCommand.softDelete(stream, expected, options.limits())))
                .get(0)
                .position());
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        checkWritable();
        return new DeleteResult(await(writer.submit(WriteCommand.tombstone(stream, expected, options.limits())))
                .get(0)
                .position());
    }

    @Override
    public long headPosition() {
        checkOpen();
        return storage.log().durablePosition();
    }

    @Override
    public StoreLimits limits() {
        return options.limits();
    }

    /** Waits for the writer without being interruptible, and rethrows the contract's exception. */
    private static <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof FactumException f) {
                throw f;
            }
            throw new StoreFailedException("append failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Whether the store is read-only after a write failure: empty while it accepts writes, else the
     * cause in a few words ("syncing the log failed: No space left on device"). Every write then
     * fails with a {@link StoreFailedException} that names this cause and carries the IO error.
     */
    public Optional<String> readOnly() {
        return writer.failureReason();
    }

    /** Reads work on an open store, failed writer or not (read-only mode). */
    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("the store at " + options.dataDir() + " is closed");
        }
    }

    private void checkWritable() {
        checkOpen();
        if (replica) {
            throw new IllegalStateException("the store at " + options.dataDir()
                    + " is a replica: its writes come from its cluster's log; write through the cluster's"
                    + " EventStore");
        }
        writer.failure().ifPresent(f -> {
            throw new StoreFailedException(f.getMessage(), f.getCause());
        });
    }

    /**
     * Closes the store: queued appends are completed (durably) first, subscriptions are stopped, the
     * index is persisted so the next open is fast, and the directory lock is released.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        subscriptions.close();
        storage.close();
    }
}
