package io.factum.server.http;

import io.grpc.netty.InternalWriteBufferingAndExceptionHandlerUtils;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Builds the HTTP/1.1 side of a connection once the protocol is known: the codec with bounded request
 * lines and headers, the request guard (timeouts), the body aggregator (size limit, 413), and the
 * dispatcher that answers on virtual threads. A TLS negotiator that selected {@code http/1.1} by ALPN
 * calls {@link #install} the same way. Thread-safe: one instance serves every connection.
 */
public final class HttpPipeline {

    /** Longest request line (method, path and query, version); longer gets 414. */
    static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;

    /** Largest header block; larger gets 431. */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private final HttpApi api;
    private final HttpOptions options;
    private final int maxBodyBytes;

    /**
     * @param maxBodyBytes largest request body; a larger one gets 413 and the connection is closed
     */
    public HttpPipeline(HttpApi api, HttpOptions options, int maxBodyBytes) {
        this.api = api;
        this.options = options;
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * Adds the HTTP handlers after the handler named {@code after}, on the channel's event loop. Also
     * removes grpc-java's write buffer: grpc-java parks writes in a buffering handler until its own
     * negotiation ends, and HTTP/1.1 never gets there, so its writes must reach the socket directly.
     */
    public void install(ChannelPipeline pipeline, String after) {
        InternalWriteBufferingAndExceptionHandlerUtils.writeBufferingAndRemove(pipeline.channel());
        // An event stream waits for its client above the high mark (see SseSession); the low mark is
        // where it resumes. These marks only govern this connection.
        pipeline.channel()
                .config()
                .setWriteBufferWaterMark(
                        new WriteBufferWaterMark(options.sseHighWaterMarkBytes() / 2, options.sseHighWaterMarkBytes()));
        var guard = new RequestGuard(options, api.metrics());
        pipeline.addAfter(after, "factum-http-guard", guard);
        pipeline.addAfter(
                "factum-http-guard",
                "factum-http-codec",
                new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, 64 * 1024));
        pipeline.addAfter("factum-http-codec", "factum-http-body", new BodyAggregator(maxBodyBytes, api.metrics()));
        pipeline.addAfter("factum-http-body", "factum-http-dispatch", new HttpDispatcher(api, guard, options));
    }
}
