package io.factum.server;

import io.factum.api.EventStore;
import io.factum.server.grpc.AppendSessionService;
import io.factum.server.grpc.CallPrincipal;
import io.factum.server.grpc.FactumTrailers;
import io.factum.server.grpc.GossipService;
import io.factum.server.grpc.ServerFeaturesService;
import io.factum.server.grpc.StoreInfoService;
import io.factum.server.grpc.StreamsService;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A running Factum server over an {@link EventStore}. The store belongs to the caller: closing the
 * server stops serving and leaves the store open, so the caller closes it after the last call ended.
 */
public final class FactumServer implements AutoCloseable {

    /** How long a graceful stop waits for running calls before cancelling them. */
    private static final long DRAIN_SECONDS = 5;

    private final Server grpc;
    private final ExecutorService calls;

    private FactumServer(Server grpc, ExecutorService calls) {
        this.grpc = grpc;
        this.calls = calls;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local...)
     */
    public static FactumServer start(EventStore store, ServerOptions options) throws IOException {
        ExecutorService calls = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("factum-call-", 0).factory());
        var bound = new InetSocketAddress(options.host(), options.port());
        List<ServerServiceDefinition> services = services(store, options, bound.getPort());
        var auth = new CallPrincipal(options.security());
        var trailers = new FactumTrailers();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bound)
                .executor(calls)
                .maxInboundMessageSize(options.limits().maxMessageBytes())
                .maxConcurrentCallsPerConnection(options.limits().maxConcurrentCallsPerConnection())
                // The official clients ping every 10 s by default; a stricter server would drop them.
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        for (ServerServiceDefinition service : services) {
            builder.addService(ServerInterceptors.intercept(service, trailers, auth));
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
        return new FactumServer(server, calls);
    }

    private static List<ServerServiceDefinition> services(EventStore store, ServerOptions options, int port) {
        List<BindableService> bindable = List.of(
                new StreamsService(store, options.security().policy(), options.clock()),
                new AppendSessionService(store, options.security().policy()),
                new StoreInfoService(store),
                new GossipService(UUID.randomUUID(), options.host(), port, options.clock()));
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
