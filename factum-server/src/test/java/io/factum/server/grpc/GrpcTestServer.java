package io.factum.server.grpc;

import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineOptions;
import io.factum.server.FactumServer;
import io.factum.server.ServerLimits;
import io.factum.server.ServerOptions;
import io.factum.server.security.ServerSecurity;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/** A real server on a free loopback port over an embedded store, and a plaintext channel to it. */
final class GrpcTestServer implements AutoCloseable {

    final EmbeddedEventStore store;
    final FactumServer server;
    final ManagedChannel channel;

    private GrpcTestServer(EmbeddedEventStore store, FactumServer server) {
        this.store = store;
        this.server = server;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
    }

    static GrpcTestServer start(Path dir) throws IOException {
        return start(dir, ServerSecurity.disabled());
    }

    static GrpcTestServer start(Path dir, ServerSecurity security) throws IOException {
        var store = EmbeddedEventStore.open(EngineOptions.defaults(dir));
        try {
            var options = new ServerOptions("127.0.0.1", 0, ServerLimits.defaults(), security, Clock.systemUTC());
            return new GrpcTestServer(store, FactumServer.start(store, options));
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The stub sending this Authorization header on every call, with a deadline. */
    static <S extends AbstractStub<S>> S as(S stub, String authorization) {
        Metadata headers = new Metadata();
        headers.put(CallPrincipal.AUTHORIZATION, authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.close();
        store.close();
    }
}
