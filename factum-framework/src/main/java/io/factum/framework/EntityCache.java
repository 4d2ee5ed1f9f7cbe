package io.factum.framework;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The most recently used entities' states, kept in memory so that a command reads only the events
 * stored after the cached version (usually none) instead of the whole stream or its snapshot.
 * Never trusted blindly: a load checks that the stream still holds the cached last event, by
 * version and id, and folds whatever came after it, so writers elsewhere are seen. Bounded, least
 * recently used out first. Thread-safe.
 */
final class EntityCache<S> {

    /**
     * What a load needs to go on from a cached state.
     *
     * @param lastEventId the id of the event at {@code version}, to check the stream still holds it
     * @param recent the newest event ids, for recognising redelivered commands
     * @param replayNanosPerEvent the measured cost of folding an event, for the adaptive policy
     */
    record Entry<S>(
            S state,
            long version,
            UUID lastEventId,
            List<UUID> recent,
            long snapshotStreamVersion,
            long eventsSinceSnapshot,
            @Nullable Instant oldestUnsnapshotted,
            long replayNanosPerEvent) {}

    private final Map<String, Entry<S>> entries;

    EntityCache(int capacity) {
        this.entries = new LinkedHashMap<String, EntityCache.Entry<S>>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, EntityCache.Entry<S>> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized @Nullable Entry<S> get(String stream) {
        return entries.get(stream);
    }

    synchronized void put(String stream, Entry<S> entry) {
        entries.put(stream, entry);
    }

    synchronized void remove(String stream) {
        entries.remove(stream);
    }

    synchronized int size() {
        return entries.size();
    }
}
