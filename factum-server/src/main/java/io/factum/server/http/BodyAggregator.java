package io.factum.server.http;

import io.factum.server.metrics.ServerMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Collects a request's body up to the limit. An oversized body (announced by Content-Length, or
 * found while reading chunks) gets a JSON 413, and the connection is closed shortly after: the rest
 * of the body is read and thrown away meanwhile (see {@link #lingerThenClose}).
 */
final class BodyAggregator extends HttpObjectAggregator {

    private static final HttpErrors ERRORS = new HttpErrors(new JsonEvents());

    /** How long the rest of an oversized body is read and dropped before the connection closes. */
    static final long LINGER_MILLIS = 2_000;

    private final int maxBodyBytes;
    private final ServerMetrics metrics;

    BodyAggregator(int maxBodyBytes, ServerMetrics metrics) {
        super(maxBodyBytes, true);
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse r && r.status().code() == 413) {
            ReferenceCountUtil.release(response);
            return tooLarge();
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // The aggregator releases the oversized message itself, and drops the rest of its body.
        ctx.writeAndFlush(tooLarge()).addListener(f -> lingerThenClose(ctx));
    }

    /**
     * Closing at once would reset the connection under a client that is still sending its body, and
     * the reset destroys the 413 before the client reads it. So the connection keeps reading (and
     * dropping) for a moment, as servers do for this case (RFC 9112, section 9.6), then closes
     * whatever the client does, so a client that never stops sending gains nothing.
     */
    private static void lingerThenClose(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(true);
        ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private FullHttpResponse tooLarge() {
        metrics.httpResponse(413);
        var problem = new HttpProblem(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "payload-too-large",
                "the request body is larger than the limit of " + maxBodyBytes + " bytes",
                Optional.empty());
        return HttpResponses.of(ERRORS.reply(problem, true), false);
    }
}
