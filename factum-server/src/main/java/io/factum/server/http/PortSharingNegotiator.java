package io.factum.server.http;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import java.util.Optional;
import javax.net.ssl.SSLEngine;

/**
 * gRPC and HTTP/1.1 on one plaintext port, as KurrentDB serves them. grpc-java asks this negotiator
 * for the first handler of every accepted connection; that handler, a {@link ProtocolSniffer}, reads
 * until it can tell the protocols apart: the HTTP/2 client preface ({@code PRI * HTTP/2.0...}, which
 * every gRPC client sends first over cleartext) hands the connection to grpc-java's own plaintext
 * negotiation and from there to gRPC; anything else is HTTP/1.1 and gets the pipeline of {@link
 * HttpPipeline}.
 *
 * <p>This uses grpc-netty's {@code Internal*} classes, the documented hook for custom negotiators
 * (stable in practice, but not covered by grpc-java's API guarantees): a grpc-java upgrade must run
 * the same-port tests.
 *
 * <p>With TLS, TLS comes first; ALPN offers {@code http/1.1} before {@code h2} in the server's
 * preference order, so gRPC clients (which offer only {@code h2}) speak HTTP/2 and curl and browsers
 * (which offer both) speak HTTP/1.1; the decrypted first bytes then decide as in plaintext. See
 * {@code docs/http-api.md}.
 */
public final class PortSharingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    private final InternalProtocolNegotiator.ProtocolNegotiator grpc = InternalProtocolNegotiators.serverPlaintext();
    private final HttpPipeline http;
    private final HttpOptions options;
    private final Optional<SslContext> tls;

    /** Plaintext: the first bytes decide. */
    public PortSharingNegotiator(HttpPipeline http, HttpOptions options) {
        this(http, options, Optional.empty());
    }

    /**
     * @param tls when present, every connection is TLS first (ALPN offering {@code http/1.1} then
     *     {@code h2}, see {@code TlsConfig.sharedPortContext}); the decrypted bytes then decide as in
     *     plaintext
     */
    public PortSharingNegotiator(HttpPipeline http, HttpOptions options, Optional<SslContext> tls) {
        this.http = http;
        this.options = options;
        this.tls = tls;
    }

    @Override
    public AsciiString scheme() {
        return AsciiString.of(tls.isPresent() ? "https" : "http");
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        var sniffer = new ProtocolSniffer(() -> grpc.newHandler(grpcHandler), http, options.sniffTimeout());
        return tls.<ChannelHandler>map(context -> new TlsFront(context, sniffer))
                .orElse(sniffer);
    }

    /**
     * Puts TLS in front of the sniffer and steps aside. The sniffer's timeout then also bounds the
     * handshake, so a client that opens TLS and stalls is closed like one that stalls in plaintext.
     */
    private static final class TlsFront extends ChannelHandlerAdapter {
        private final SslContext context;
        private final ProtocolSniffer sniffer;

        TlsFront(SslContext context, ProtocolSniffer sniffer) {
            this.context = context;
            this.sniffer = sniffer;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            SSLEngine engine = preferHttp1(context.newEngine(ctx.alloc()));
            ctx.pipeline().addBefore(ctx.name(), null, new SslHandler(engine));
            ctx.pipeline().replace(this, null, sniffer);
        }
    }

    @Override
    public void close() {
        grpc.close();
    }

    /**
     * ALPN: HTTP/1.1 when the client offers it, else HTTP/2. gRPC clients offer only {@code h2} and
     * get it; curl and browsers offer both and get HTTP/1.1, which the HTTP API speaks (with {@code h2}
     * they would reach gRPC, which cannot answer them). Netty's own ALPN support follows the client's
     * order, hence a selector on the engine itself.
     */
    static SSLEngine preferHttp1(SSLEngine engine) {
        engine.setHandshakeApplicationProtocolSelector((unused, offered) -> {
            if (offered.contains(ApplicationProtocolNames.HTTP_1_1)) {
                return ApplicationProtocolNames.HTTP_1_1;
            }
            return offered.contains(ApplicationProtocolNames.HTTP_2) ? ApplicationProtocolNames.HTTP_2 : "";
        });
        return engine;
    }
}
