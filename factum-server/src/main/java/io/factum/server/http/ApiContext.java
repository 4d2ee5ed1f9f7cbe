package io.factum.server.http;

import io.factum.api.EventStore;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.ServerSecurity;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What the HTTP API works with.
 *
 * @param store the store it serves
 * @param security authentication and access control, shared with gRPC
 * @param metrics counters, shared with gRPC
 * @param executor runs requests and event streams; virtual threads, never an event loop
 * @param clock for uptime
 * @param node who this server is, for {@code /info}
 * @param serving false once the server is stopping, so that readiness fails before the port closes
 * @param options HTTP timeouts and sizes
 */
public record ApiContext(
        EventStore store,
        ServerSecurity security,
        ServerMetrics metrics,
        Executor executor,
        Clock clock,
        NodeInfo node,
        BooleanSupplier serving,
        HttpOptions options) {

    public ApiContext {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(options, "options");
    }

    /**
     * This server as {@code /info} shows it.
     *
     * @param id the node's id, the one gossip announces
     * @param version Factum's version
     * @param protocolVersion the KurrentDB protocol version served
     * @param started when the server started
     */
    public record NodeInfo(UUID id, String version, String protocolVersion, Instant started) {}
}
