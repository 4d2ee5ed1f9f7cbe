package io.factum.server.http;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.channel.ChannelHandler;
import io.netty.util.AsciiString;

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
 * <p>With TLS the choice belongs to ALPN rather than to the first bytes: offer {@code http/1.1}
 * before {@code h2} in the server's preference list. gRPC clients offer only {@code h2} and get gRPC;
 * curl and browsers offer both and get HTTP/1.1, which this API speaks. See {@code docs/http-api.md}.
 */
public final class PortSharingNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    private static final AsciiString SCHEME = AsciiString.of("http");

    private final InternalProtocolNegotiator.ProtocolNegotiator grpc = InternalProtocolNegotiators.serverPlaintext();
    private final HttpPipeline http;
    private final HttpOptions options;

    public PortSharingNegotiator(HttpPipeline http, HttpOptions options) {
        this.http = http;
        this.options = options;
    }

    @Override
    public AsciiString scheme() {
        return SCHEME;
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new ProtocolSniffer(() -> grpc.newHandler(grpcHandler), http, options.sniffTimeout());
    }

    @Override
    public void close() {
        grpc.close();
    }
}
