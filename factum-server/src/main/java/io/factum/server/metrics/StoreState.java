package io.factum.server.metrics;

import io.factum.api.EventStore;
import io.factum.cluster.ClusterEventStore;
import io.factum.cluster.ClusterNode;
import io.factum.engine.EmbeddedEventStore;
import java.util.Optional;

/**
 * What the server reports about its store beyond the contract: whether the embedded engine is
 * read-only after a write failure. One place for readiness, {@code /info} and the metrics.
 */
public final class StoreState {

    private StoreState() {}

    /** The cause when the store is read-only after a write failure; empty otherwise. */
    public static Optional<String> readOnly(EventStore store) {
        return switch (store) {
            case EmbeddedEventStore engine -> engine.readOnly();
            case ClusterEventStore node -> node.node().readOnly();
            default -> Optional.empty();
        };
    }

    /** The cluster node serving this store, when the server runs as one. */
    public static Optional<ClusterNode> cluster(EventStore store) {
        return store instanceof ClusterEventStore node ? Optional.of(node.node()) : Optional.empty();
    }
}
