package io.factum.engine;

import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** SKELETON — replaced by the real engine in this session; signatures are final. */
public final class EmbeddedEventStore implements EventStore {

    private EmbeddedEventStore() {}

    /**
     * Opens (or creates) the store in {@code options.dataDir()}: takes the directory lock, recovers
     * the log (truncating a torn tail), and brings the index up to date with the log.
     *
     * @throws DataDirectoryLockedException when another process has the directory open
     * @throws CorruptStoreException when acknowledged data is damaged
     */
    public static EmbeddedEventStore open(EngineOptions options) throws IOException {
        throw new IllegalStateException("skeleton");
    }

    /** Checks every file of a closed store without changing anything. */
    public static VerifyReport verify(Path dataDir) throws IOException {
        throw new IllegalStateException("skeleton");
    }

    /**
     * Deletes the persisted index of a closed store and rebuilds it from the log alone.
     *
     * @return the number of records indexed
     */
    public static long rebuildIndex(EngineOptions options) throws IOException {
        throw new IllegalStateException("skeleton");
    }

    public EngineStats stats() {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions options) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public long headPosition() {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public StoreLimits limits() {
        throw new IllegalStateException("skeleton");
    }

    @Override
    public void close() {}
}
