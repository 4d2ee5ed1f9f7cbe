package io.factum.api;

import java.util.Optional;

/**
 * A write reached a node of a cluster that cannot take it now: the node is a follower, or it lost
 * the leadership (or its majority) while the write was in flight. A write that fails this way may
 * or may not have been stored; retrying it on the leader is safe when its events carry the same
 * ids (a retry of a stored append succeeds without writing). {@link #leader()} names the leader's
 * client endpoint when this node knows it; empty during an election or without a majority.
 */
public final class NotLeaderException extends FactumException {
    private final transient Optional<Endpoint> leader;

    public NotLeaderException(String message, Optional<Endpoint> leader) {
        super(message);
        this.leader = leader;
    }

    public NotLeaderException(String message, Optional<Endpoint> leader, Throwable cause) {
        super(message, cause);
        this.leader = leader;
    }

    /** The leader's client endpoint (the host and port clients connect to), when known. */
    public Optional<Endpoint> leader() {
        return leader;
    }

    /** A node's client endpoint. */
    public record Endpoint(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
