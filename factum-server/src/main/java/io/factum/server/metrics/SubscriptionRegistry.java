package io.factum.server.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The live subscriptions of every transport, for the subscription gauges. Thread-safe. */
final class SubscriptionRegistry {

    private final Map<Long, TrackedSubscription> live = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    TrackedSubscription open(Transport transport, boolean toAll) {
        var tracked = new TrackedSubscription(ids.incrementAndGet(), transport, toAll, this);
        live.put(tracked.id(), tracked);
        return tracked;
    }

    void remove(TrackedSubscription tracked) {
        live.remove(tracked.id());
    }

    List<TrackedSubscription> snapshot() {
        return List.copyOf(live.values());
    }
}
