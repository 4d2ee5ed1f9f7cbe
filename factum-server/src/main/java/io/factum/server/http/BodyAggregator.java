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

/**
 * Collects a request's body up to the limit. An oversized body (announced by Content-Length, or
 * found while reading chunks) gets a JSON 413 and the connection is closed, since the rest of the
 * body would otherwise have to be read and thrown away.
 */
final class BodyAggregator extends HttpObjectAggregator {

    private static final HttpErrors ERRORS = new HttpErrors(new JsonEvents());

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
        // The aggregator releases the oversized message itself.
        ctx.writeAndFlush(tooLarge()).addListener(f -> ctx.close());
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
