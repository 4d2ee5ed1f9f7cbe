package io.factum.engine.internal.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The most recent event ids and where they were written, so that a retried append with {@code
 * ExpectedVersion.any()} (which names no place to compare against) is recognised and not written
 * twice. Bounded: the oldest id is forgotten first. Exact expectations never need it: they are
 * checked against the log itself, whatever the age of the original append.
 *
 * <p>Not thread-safe: used only from the writer thread.
 */
final class IdempotencyCache {
    private final UUID[] ring;
    private final Map<UUID, Location> byId;
    private int next;

    record Location(String stream, long version, long position) {}

    IdempotencyCache(int capacity) {
        this.ring = new UUID[Math.max(capacity, 0)];
        this.byId = new HashMap<>(Math.max(16, Math.min(capacity, 1 << 16) * 2));
    }

    void remember(UUID eventId, String stream, long version, long position) {
        if (ring.length == 0) {
            return;
        }
        UUID evicted = ring[next];
        if (evicted != null) {
            byId.remove(evicted);
        }
        ring[next] = eventId;
        next = (next + 1) % ring.length;
        byId.put(eventId, new Location(stream, version, position));
    }

    Optional<Location> find(UUID eventId) {
        return Optional.ofNullable(byId.get(eventId));
    }
}
