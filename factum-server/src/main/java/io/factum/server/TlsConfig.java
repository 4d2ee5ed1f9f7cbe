package io.factum.server;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Server TLS from PEM files, kept apart from the server builder so that any transport (gRPC, and the
 * HTTP/1.1 negotiator that shares the port) builds its context the same way.
 *
 * @param certificateChain PEM: the server's certificate, then any intermediates
 * @param privateKey PEM: the certificate's private key, PKCS#8 ({@code BEGIN PRIVATE KEY}) or, with
 *     BouncyCastle on the class path, PKCS#1 ({@code BEGIN RSA PRIVATE KEY}); not encrypted
 * @param clientCa PEM: when present, clients may present a certificate signed by this CA (checked,
 *     optional: clients without one authenticate with a password)
 */
public record TlsConfig(Path certificateChain, Path privateKey, Optional<Path> clientCa) {

    public TlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
    }

    /**
     * A server context that negotiates HTTP/2 through ALPN, as gRPC clients require.
     *
     * @throws IOException naming the file when one is missing or cannot be read as PEM
     */
    public SslContext serverContext() throws IOException {
        return build(false);
    }

    /**
     * A server context for the port gRPC shares with HTTP/1.1: the JDK's TLS, with no ALPN of its
     * own; the port-sharing negotiator chooses the protocol on each connection's engine.
     *
     * @throws IOException naming the file when one is missing or cannot be read as PEM
     */
    public SslContext sharedPortContext() throws IOException {
        return build(true);
    }

    private SslContext build(boolean sharedPort) throws IOException {
        checkReadable("--tls-cert", certificateChain);
        checkReadable("--tls-key", privateKey);
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile());
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    "cannot read the TLS certificate " + certificateChain + " or key " + privateKey + ": "
                            + e.getMessage(),
                    e);
        }
        if (clientCa.isPresent()) {
            checkReadable("--tls-ca", clientCa.get());
            builder.trustManager(clientCa.get().toFile()).clientAuth(ClientAuth.OPTIONAL);
        }
        try {
            if (sharedPort) {
                builder.sslProvider(SslProvider.JDK);
            } else {
                GrpcSslContexts.configure(builder);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException(
                    "cannot use the TLS certificate " + certificateChain + " with key " + privateKey + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static void checkReadable(String option, Path file) throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException(option + " " + file + ": no such readable file");
        }
    }
}
