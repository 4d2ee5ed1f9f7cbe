package io.factum.framework.migration;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.util.UUID;

/** A count and an order-sensitive hash of a sequence of event ids. */
final class IdDigest {
    private long count;
    private long hash = 17;

    void add(UUID id) {
        count++;
        hash = 31 * (31 * hash + id.getMostSignificantBits()) + id.getLeastSignificantBits();
        hash ^= hash >>> 29;
    }

    long count() {
        return count;
    }

    long hash() {
        return hash;
    }

    static IdDigest ofStream(EventStore store, String stream) {
        IdDigest digest = new IdDigest();
        int page = store.limits().maxReadCount();
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(stream, from, Direction.FORWARDS, page);
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.events().isEmpty()) {
                return digest;
            }
            for (RecordedEvent event : found.events()) {
                digest.add(event.eventId());
            }
            if (found.endOfStream()) {
                return digest;
            }
            from = found.events().getLast().version() + 1;
        }
    }
}
