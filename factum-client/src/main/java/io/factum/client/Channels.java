package io.factum.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Builds the gRPC channels a {@link RemoteEventStore} talks over, one per node, all with the same
 * TLS settings and credentials. The TLS context (and so the CA file) is read once, when this is
 * made, so that moving to another node later cannot fail on configuration. Thread-safe.
 */
final class Channels {

    /** Inbound messages up to 17 MiB: the server's largest event (16 MiB append) plus framing. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 17 << 20;

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Optional<SslContext> ssl;
    private final Optional<ClientInterceptor> authorization;

    private Channels(Optional<SslContext> ssl, Optional<ClientInterceptor> authorization) {
        this.ssl = ssl;
        this.authorization = authorization;
    }

    /**
     * @throws IllegalArgumentException when the TLS settings cannot be used (unreadable CA file)
     */
    static Channels of(ClientOptions options) {
        return new Channels(
                options.tls().enabled() ? Optional.of(sslContext(options.tls())) : Optional.empty(),
                options.credentials().map(Channels::basic));
    }

    /** A channel to one node; it connects lazily, at its first call, and reconnects by itself. */
    ManagedChannel open(ClientOptions.Endpoint node) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(node.host(), node.port())
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                // As the official clients: ping every 10 s while calls are open (subscriptions).
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS);
        if (ssl.isPresent()) {
            builder.useTransportSecurity().sslContext(ssl.get());
        } else {
            builder.usePlaintext();
        }
        authorization.ifPresent(builder::intercept);
        return builder.build();
    }

    private static SslContext sslContext(ClientOptions.TlsOptions tls) {
        try {
            SslContextBuilder ssl = GrpcSslContexts.forClient();
            if (!tls.verifyCert()) {
                ssl.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caFile().isPresent()) {
                var file = tls.caFile().get();
                if (!Files.isReadable(file)) {
                    throw new IllegalArgumentException(
                            "the TLS CA file " + file + " does not exist or is not readable");
                }
                try (var in = Files.newInputStream(file)) {
                    ssl.trustManager(in);
                }
            }
            return ssl.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // Netty reports a malformed PEM file as an IllegalArgumentException or a bare runtime error.
            throw new IllegalArgumentException("cannot read the TLS CA file: " + e.getMessage(), e);
        }
    }

    /** Adds {@code authorization: Basic ...} to every call, as the official clients do. */
    private static ClientInterceptor basic(ClientOptions.Credentials credentials) {
        String token = Base64.getEncoder()
                .encodeToString(
                        (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        String header = "Basic " + token;
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(
                    MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, header);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }
}
