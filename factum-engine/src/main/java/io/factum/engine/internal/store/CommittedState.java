package io.factum.engine.internal.store;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SystemNames;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable, indexed state of the store as the decider and the readers see it: the index for
 * versions, the log for records, and a cache of decoded stream metadata.
 *
 * <p>The metadata cache is keyed by the metastream version the index reports, so a reader that
 * raced a metadata change can never pin a stale value: the next lookup sees a newer version and
 * reloads. Thread-safe.
 */
public final class CommittedState implements StateView {
    /** Decoded metadata entries kept; cleared wholesale beyond this (it refills from the index). */
    private static final int METADATA_CACHE_ENTRIES = 10_000;

    private final SegmentedLog log;
    private final StreamIndex index;
    private final QueryReads queries;
    private final ConcurrentHashMap<String, StreamMetadataResult> metadataCache = new ConcurrentHashMap<>();

    public CommittedState(SegmentedLog log, StreamIndex index, QueryReads queries) {
        this.log = log;
        this.index = index;
        this.queries = queries;
    }

    @Override
    public long lastVersion(String stream) {
        try {
            return index.lastVersion(stream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<EventRef> eventAt(String stream, long version) {
        try {
            List<StreamIndex.Entry> entries = index.read(stream, version, Direction.FORWARDS, 1);
            if (entries.isEmpty() || entries.get(0).version() != version) {
                return Optional.empty();
            }
            long position = entries.get(0).position();
            return Optional.of(new EventRef(log.read(position).eventId(), position));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public StreamMetadataResult metadata(String stream) {
        String metastream = SystemNames.metastreamOf(stream);
        long version = lastVersion(metastream);
        if (version < 0) {
            return new StreamMetadataResult(stream, -1, StreamMetadata.empty());
        }
        StreamMetadataResult cached = metadataCache.get(stream);
        if (cached != null && cached.metastreamVersion() == version) {
            return cached;
        }
        try {
            List<StreamIndex.Entry> entries = index.read(metastream, version, Direction.FORWARDS, 1);
            RecordedEvent event = log.read(entries.get(0).position());
            StreamMetadataResult loaded =
                    new StreamMetadataResult(stream, version, StreamMetadataCodec.decode(event.data()));
            if (metadataCache.size() >= METADATA_CACHE_ENTRIES) {
                metadataCache.clear();
            }
            metadataCache.put(stream, loaded);
            return loaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long headPosition() {
        return log.durablePosition();
    }

    /** Reads by query, over the tag and type index. */
    public QueryReads queries() {
        return queries;
    }

    @Override
    public OptionalLong firstMatchAfter(Query query, long after) {
        try {
            return queries.firstAfter(query, after);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Turns an IO failure on a read path into the contract's error, naming what was read. */
    static StoreFailedException readFailed(String what, IOException e) {
        return new StoreFailedException("reading " + what + " failed: " + e.getMessage(), e);
    }
}
