package io.factum.server;

import io.factum.api.EventStore;
import io.factum.server.grpc.CallPrincipal;
import io.factum.server.grpc.GossipService;
import io.factum.server.grpc.ServerFeaturesService;
import io.factum.server.grpc.StreamsService;
import io.factum.server.http.ApiContext;
import io.factum.server.http.HttpApi;
import io.factum.server.http.HttpOptions;
import io.factum.server.http.HttpPipeline;
import io.factum.server.http.PortSharingNegotiator;
import io.factum.server.metrics.MetricsExporter;
import io.factum.server.metrics.ServerMetrics;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Factum server over an {@link EventStore}: gRPC (the KurrentDB client protocol) and
 * HTTP/1.1 (JSON, Server-Sent Events, health, metrics) on one port. The store belongs to the caller:
 * closing the server stops serving and leaves the store open, so the caller closes it after the last
 * call ended.
 */
public final class FactumServer implements AutoCloseable {

    /** How long a graceful stop waits for running calls before cancelling them. */
    private static final long DRAIN_SECONDS = 5;

    private final Server grpc;
    private final ExecutorService calls;
    private final AtomicBoolean serving;

    private FactumServer(Server grpc, ExecutorService calls, AtomicBoolean serving) {
        this.grpc = grpc;
        this.calls = calls;
        this.serving = serving;
    }

    /**
     * Binds and starts serving, with the default HTTP options.
     *
     * @throws IOException when the address cannot be bound (in use, not local...)
     */
    public static FactumServer start(EventStore store, ServerOptions options) throws IOException {
        return start(store, options, HttpOptions.defaults());
    }

    /**
     * Binds and starts serving gRPC and HTTP on one port.
     *
     * @throws IOException when the address cannot be bound (in use, not local...)
     */
    public static FactumServer start(EventStore store, ServerOptions options, HttpOptions http) throws IOException {
        ExecutorService calls = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("factum-call-", 0).factory());
        var bound = new InetSocketAddress(options.host(), options.port());
        var metrics = new ServerMetrics();
        var nodeId = UUID.randomUUID();
        var serving = new AtomicBoolean();
        List<ServerServiceDefinition> services = services(store, options, bound.getPort(), nodeId, metrics);
        var auth = new CallPrincipal(options.security());
        var negotiator = httpNegotiator(store, options, http, calls, nodeId, metrics, serving);
        NettyServerBuilder builder = NettyServerBuilder.forAddress(
                        bound, InternalNettyServerCredentials.create(negotiator))
                .executor(calls)
                .maxInboundMessageSize(options.limits().maxMessageBytes())
                .maxConcurrentCallsPerConnection(options.limits().maxConcurrentCallsPerConnection())
                // The official clients ping every 10 s by default; a stricter server would drop them.
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        for (ServerServiceDefinition service : services) {
            builder.addService(ServerInterceptors.intercept(service, auth));
        }
        List<ServerServiceDefinition> withFeatures = new ArrayList<>(services);
        var features = new ServerFeaturesService(withFeatures, Map.of());
        builder.addService(ServerInterceptors.intercept(features.bindService(), auth));
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            calls.shutdownNow();
            throw new IOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        serving.set(true);
        return new FactumServer(server, calls, serving);
    }

    /** HTTP/1.1 shares the port: the negotiator sends each connection to gRPC or to HTTP. */
    private static PortSharingNegotiator httpNegotiator(
            EventStore store,
            ServerOptions options,
            HttpOptions http,
            ExecutorService calls,
            UUID nodeId,
            ServerMetrics metrics,
            AtomicBoolean serving) {
        Instant started = options.clock().instant();
        String version =
                Objects.requireNonNullElse(FactumServer.class.getPackage().getImplementationVersion(), "dev");
        var node = new ApiContext.NodeInfo(nodeId, version, ServerFeaturesService.PROTOCOL_VERSION, started);
        var context =
                new ApiContext(store, options.security(), metrics, calls, options.clock(), node, serving::get, http);
        var api = new HttpApi(context, new MetricsExporter(metrics, store, options.clock(), started));
        return new PortSharingNegotiator(
                new HttpPipeline(api, http, options.limits().maxMessageBytes()), http);
    }

    private static List<ServerServiceDefinition> services(
            EventStore store, ServerOptions options, int port, UUID nodeId, ServerMetrics metrics) {
        List<BindableService> bindable = List.of(
                new StreamsService(store, options.security().policy(), options.clock(), metrics),
                new GossipService(nodeId, options.host(), port, options.clock()));
        return bindable.stream().map(BindableService::bindService).toList();
    }

    /** The port the server listens on (the real one when 0 was asked for). */
    public int port() {
        return grpc.getPort();
    }

    /** Blocks until the server has stopped. */
    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    /** Stops accepting calls, lets running ones finish for a few seconds, then cancels the rest. */
    @Override
    public void close() {
        serving.set(false); // readiness fails from now on
        grpc.shutdown();
        try {
            if (!grpc.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS)) {
                grpc.shutdownNow();
                grpc.awaitTermination(DRAIN_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            grpc.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            calls.shutdownNow();
        }
    }
}
