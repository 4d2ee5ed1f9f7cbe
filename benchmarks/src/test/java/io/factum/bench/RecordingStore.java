package io.factum.bench;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double for the write path only: records which stream got which events, and can be told to
 * fail the n-th append. Thread-safe (synchronized); everything but appends is unsupported.
 */
final class RecordingStore implements EventStore {

    /** One call: the streams and event counts it carried, in order, and its condition if any. */
    record Call(List<String> streams, List<Integer> counts, Optional<AppendCondition> condition) {
        /** A call without a condition, as the benchmark driver makes them. */
        Call(List<String> streams, List<Integer> counts) {
            this(streams, counts, Optional.empty());
        }
    }

    private final Map<String, List<EventData>> streams = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final long failAt;
    private long position = -1;

    RecordingStore(long failAtAppend) {
        this.failAt = failAtAppend;
    }

    RecordingStore() {
        this(Long.MAX_VALUE);
    }

    @Override
    public synchronized AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        return appendMulti(List.of(new StreamAppend(stream, expected, events))).get(0);
    }

    /** Records the call, condition included, and accepts it: this double checks nothing. */
    @Override
    public synchronized List<AppendResult> appendMulti(
            List<StreamAppend> appends, Optional<AppendCondition> condition) {
        if (calls.size() + 1 == failAt) {
            throw new StoreFailedException("injected failure at append " + failAt, new java.io.IOException("disk"));
        }
        calls.add(new Call(
                appends.stream().map(StreamAppend::stream).toList(),
                appends.stream().map(a -> a.events().size()).toList(),
                condition));
        List<AppendResult> results = new ArrayList<>();
        for (StreamAppend a : appends) {
            List<EventData> list = streams.computeIfAbsent(a.stream(), s -> new ArrayList<>());
            list.addAll(a.events());
            position += a.events().size();
            results.add(new AppendResult(list.size() - 1, position, true));
        }
        return results;
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized Map<String, List<EventData>> streams() {
        return Map.copyOf(streams);
    }

    synchronized long events() {
        return position + 1;
    }

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        throw new UnsupportedOperationException("a write-path double: no reads by query");
    }

    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        throw new UnsupportedOperationException("a write-path double: no subscriptions by query");
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        throw new UnsupportedOperationException();
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        throw new UnsupportedOperationException();
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized long headPosition() {
        return position;
    }

    @Override
    public StoreLimits limits() {
        return StoreLimits.defaults();
    }

    @Override
    public void close() {}
}
