package io.factum.server;

import io.factum.api.EventStore;
import io.factum.cluster.ClusterNode;
import io.factum.server.append.AppendGate;
import io.factum.server.grpc.AppendSessionService;
import io.factum.server.grpc.CallPrincipal;
import io.factum.server.grpc.ConnectionLimits;
import io.factum.server.grpc.DcbService;
import io.factum.server.grpc.FactumTrailers;
import io.factum.server.grpc.GossipService;
import io.factum.server.grpc.LeaderRequirement;
import io.factum.server.grpc.PersistentSubscriptionsService;
import io.factum.server.grpc.ServerFeaturesService;
import io.factum.server.grpc.StoreInfoService;
import io.factum.server.grpc.StreamsService;
import io.factum.server.grpc.StrictRequests;
import io.factum.server.http.ApiContext;
import io.factum.server.http.HttpApi;
import io.factum.server.http.HttpOptions;
import io.factum.server.http.HttpPipeline;
import io.factum.server.http.PortSharingNegotiator;
import io.factum.server.metrics.MetricsExporter;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.StoreState;
import io.factum.server.persistent.PersistentSubscriptions;
import io.factum.server.persistent.Scheduler;
import io.factum.server.security.PasswordHasher;
import io.factum.server.security.users.UserStore;
import io.factum.server.security.users.UsersService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final StreamsService streams;
    private final DcbService dcb;
    private final PersistentSubscriptions persistent;
    private final AtomicBoolean serving;

    private FactumServer(
            Server grpc,
            ExecutorService calls,
            StreamsService streams,
            DcbService dcb,
            PersistentSubscriptions persistent,
            AtomicBoolean serving) {
        this.grpc = grpc;
        this.calls = calls;
        this.streams = streams;
        this.dcb = dcb;
        this.persistent = persistent;
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
        var boundPort = new AtomicInteger(options.port());
        var metrics = new ServerMetrics();
        Optional<ClusterNode> cluster = StoreState.cluster(store);
        var nodeId =
                cluster.map(c -> GossipService.instanceId(c.options().nodeId())).orElseGet(UUID::randomUUID);
        var serving = new AtomicBoolean();
        var gate = new AppendGate(store, options.security().policy(), metrics);
        var streams = new StreamsService(store, options.security().policy(), options.clock(), metrics, gate);
        var dcb = new DcbService(store, options.security().policy(), metrics, gate);
        // The Users service shares the authenticator's user store, so that its changes reach the
        // authenticator's cache at once.
        UserStore users = options.security().users().orElseGet(() -> new UserStore(store, PasswordHasher.defaults()));
        // Loads the stored groups and starts them before the first call can reach them.
        var persistent =
                new PersistentSubscriptions(store, options.clock(), Scheduler.platform("factum-ps-timer")).start();
        // In a cluster the groups' settings and checkpoints are in the replicated store, and only
        // the leader serves them: after each leader change the groups start again from what is
        // stored, on the new leader as everywhere (consumers elsewhere are dropped and reconnect).
        cluster.ifPresent(node -> node.onLeaderChange(() -> restartGroups(node, persistent)));
        List<ServerServiceDefinition> services = List.of(
                streams.bindService(),
                cluster.map(c -> GossipService.cluster(c, options.clock()))
                        .orElseGet(() -> GossipService.singleNode(
                                nodeId, advertised(options.host()), boundPort::get, options.clock()))
                        .bindService(),
                new UsersService(users, options.security().policy()).bindService(),
                new AppendSessionService(gate).bindService(),
                new StoreInfoService(store).bindService(),
                dcb.bindService(),
                new PersistentSubscriptionsService(
                                persistent, options.security().policy(), store.limits())
                        .definition());
        var auth = new CallPrincipal(options.security());
        var perConnection = new ConnectionLimits(options.limits().maxSubscriptionsPerConnection());
        var trailers = new FactumTrailers();
        NettyServerBuilder builder = transport(store, options, http, calls, nodeId, metrics, serving, bound)
                .executor(calls)
                .maxInboundMessageSize(options.limits().maxMessageBytes())
                .maxConcurrentCallsPerConnection(options.limits().maxConcurrentCallsPerConnection())
                .handshakeTimeout(options.limits().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .maxConnectionIdle(options.limits().maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS)
                .addTransportFilter(perConnection)
                // The official clients ping every 10 s by default; a stricter server would drop them.
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
        for (ServerServiceDefinition service : services) {
            ServerServiceDefinition strict = StrictRequests.of(service);
            // Interceptors run last-added first: the leader check comes after authentication.
            // Clients send requires-leader on every call, gossip included: gossip must answer on
            // every node, or a client could never find the leader.
            boolean gossip = service.getServiceDescriptor().getName().equals("event_store.client.gossip.Gossip");
            ServerServiceDefinition served = cluster.isPresent() && !gossip
                    ? ServerInterceptors.intercept(
                            strict, new LeaderRequirement(cluster.get()), trailers, auth, perConnection)
                    : ServerInterceptors.intercept(strict, trailers, auth, perConnection);
            builder.addService(served);
        }
        List<ServerServiceDefinition> withFeatures = new ArrayList<>(services);
        var features = new ServerFeaturesService(withFeatures, PersistentSubscriptionsService.features());
        builder.addService(
                ServerInterceptors.intercept(StrictRequests.of(features.bindService()), auth, perConnection));
        Server server = builder.build();
        try {
            server.start();
        } catch (IOException e) {
            calls.shutdownNow();
            persistent.close();
            throw new IOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        boundPort.set(server.getPort());
        serving.set(true);
        return new FactumServer(server, calls, streams, dcb, persistent, serving);
    }

    /**
     * HTTP/1.1 shares the port with gRPC: the negotiator sends each connection to one or the other,
     * after TLS when the server has a certificate.
     */
    private static NettyServerBuilder transport(
            EventStore store,
            ServerOptions options,
            HttpOptions http,
            ExecutorService calls,
            UUID nodeId,
            ServerMetrics metrics,
            AtomicBoolean serving,
            InetSocketAddress bound)
            throws IOException {
        var negotiator = httpNegotiator(store, options, http, calls, nodeId, metrics, serving);
        return NettyServerBuilder.forAddress(bound, InternalNettyServerCredentials.create(negotiator));
    }

    /** A wildcard bind address is no address to give clients; they reached us by some name. */
    private static String advertised(String host) {
        return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
    }

    /** HTTP/1.1 shares the port: the negotiator sends each connection to gRPC or to HTTP. */
    private static PortSharingNegotiator httpNegotiator(
            EventStore store,
            ServerOptions options,
            HttpOptions http,
            ExecutorService calls,
            UUID nodeId,
            ServerMetrics metrics,
            AtomicBoolean serving)
            throws IOException {
        Instant started = options.clock().instant();
        String version =
                Objects.requireNonNullElse(FactumServer.class.getPackage().getImplementationVersion(), "dev");
        var node = new ApiContext.NodeInfo(nodeId, version, ServerFeaturesService.PROTOCOL_VERSION, started);
        var context =
                new ApiContext(store, options.security(), metrics, calls, options.clock(), node, serving::get, http);
        var api = new HttpApi(context, new MetricsExporter(metrics, store, options.clock(), started));
        Optional<SslContext> tls =
                options.tls().isPresent() ? Optional.of(options.tls().get().sharedPortContext()) : Optional.empty();
        return new PortSharingNegotiator(
                new HttpPipeline(api, http, options.limits().maxMessageBytes()), http, tls);
    }

    private static void restartGroups(ClusterNode node, PersistentSubscriptions persistent) {
        try {
            if (node.awaitReady(java.time.Duration.ofSeconds(30))) {
                persistent.restart();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.getLogger(FactumServer.class.getName())
                    .log(
                            System.Logger.Level.WARNING,
                            "restarting persistent subscriptions after a leader change failed",
                            e);
        }
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
        // Persistent subscription calls never end by themselves: drop their consumers (and write
        // the groups' last checkpoints) before waiting for the running calls.
        persistent.close();
        grpc.shutdown();
        streams.endSubscriptions("the server is shutting down");
        dcb.endSubscriptions("the server is shutting down");
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
