package io.factum.server.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;

/**
 * One request, copied out of Netty's reference-counted buffers so that a virtual thread can work on
 * it after the event loop released them.
 *
 * @param method the request method, as sent
 * @param uri the request target (path and query), still percent-encoded
 * @param headers the request headers
 * @param body the request body, at most the configured size
 * @param keepAlive whether the connection stays open after the response
 * @param malformed why the codec could not parse the request, when it could not
 */
record HttpCall(
        String method, String uri, HttpHeaders headers, byte[] body, boolean keepAlive, Optional<Throwable> malformed) {

    /** Netty's decoder takes any "HTTP/x.y"; only 1.0 and 1.1 are HTTP/1 as this API speaks it. */
    private static Optional<Throwable> unsupportedVersion(HttpVersion version) {
        boolean http1 = version.majorVersion() == 1 && (version.minorVersion() == 0 || version.minorVersion() == 1);
        return http1
                ? Optional.empty()
                : Optional.of(new IllegalArgumentException(
                        version.text() + " is not supported; send HTTP/1.1 (or HTTP/2 for gRPC)"));
    }

    static HttpCall of(FullHttpRequest request) {
        Optional<Throwable> failure = request.decoderResult().isFailure()
                ? Optional.of(request.decoderResult().cause())
                : unsupportedVersion(request.protocolVersion());
        return new HttpCall(
                request.method().name(),
                request.uri(),
                request.headers().copy(),
                ByteBufUtil.getBytes(request.content()),
                failure.isEmpty() && HttpUtil.isKeepAlive(request),
                failure);
    }

    /** A header's value, when present. */
    Optional<String> header(CharSequence name) {
        return Optional.ofNullable(headers.get(name));
    }
}
