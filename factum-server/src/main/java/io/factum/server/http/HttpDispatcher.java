package io.factum.server.http;

import io.factum.api.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Takes complete requests off the event loop and answers them in order, one at a time per
 * connection, each on a virtual thread. While a request is answered the connection stops reading
 * (pipelined requests wait in the socket, at most a few already decoded ones wait here), so a client
 * cannot make the server hold more than one request's work per connection.
 *
 * <p>An event stream takes the connection over for good: later requests on it are ignored.
 *
 * <p>Closing: a close asked by grpc-java's graceful shutdown waits for the response in progress;
 * grpc-java's forceful shutdown command closes at once.
 *
 * <p>Fields are touched on the channel's event loop only; the virtual threads only write to the
 * channel, which Netty hands to the event loop in order.
 */
final class HttpDispatcher extends ChannelDuplexHandler {

    private static final System.Logger LOG = System.getLogger(HttpDispatcher.class.getName());

    private final HttpApi api;
    private final RequestGuard guard;
    private final HttpOptions options;
    private final ArrayDeque<HttpCall> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean streaming;
    private @Nullable ChannelPromise pendingClose;
    private @Nullable SseSession session;

    HttpDispatcher(HttpApi api, RequestGuard guard, HttpOptions options) {
        this.api = api;
        this.guard = guard;
        this.options = options;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (streaming || pendingClose != null) {
                return; // an event stream owns the connection, or it is closing
            }
            guard.requestReceived();
            if (queue.size() >= options.maxPipelinedRequests()) {
                ctx.close();
                return;
            }
            queue.add(HttpCall.of(request));
            if (!busy) {
                next(ctx);
            }
        } finally {
            request.release();
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (pendingClose != null) {
            queue.clear();
            busy = false;
            ctx.close(pendingClose);
            return;
        }
        HttpCall call = queue.poll();
        if (call == null) {
            busy = false;
            ctx.channel().config().setAutoRead(true);
            guard.awaitRequest();
            return;
        }
        busy = true;
        ctx.channel().config().setAutoRead(false);
        api.executor().execute(() -> serve(ctx, call));
    }

    /** On a virtual thread. A failure here cannot be answered, so it closes the connection. */
    private void serve(ChannelHandlerContext ctx, HttpCall call) {
        try {
            answer(ctx, call);
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "HTTP " + call.method() + " could not be answered", e);
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpCall call) {
        HttpReply reply = api.handle(call);
        if (reply instanceof HttpReply.EventStream stream) {
            reply = startStream(ctx, call, stream);
            if (reply == null) {
                return;
            }
        }
        FullHttpResponse response = HttpResponses.of(reply, call.keepAlive());
        api.metrics().httpResponse(response.status().code());
        ChannelFuture written = ctx.writeAndFlush(response);
        written.addListener(f -> afterResponse(ctx, call, written.isSuccess()));
    }

    /** Starts the stream, or returns the error reply when the subscription could not start. */
    private HttpReply.@Nullable Json startStream(
            ChannelHandlerContext ctx, HttpCall call, HttpReply.EventStream stream) {
        var sse = new SseSession(ctx, options, api, stream.toAll());
        Subscription subscription;
        try {
            subscription = stream.subscribe().apply(sse);
        } catch (RuntimeException e) {
            sse.abandon();
            return api.errorReply(e, call);
        }
        // Ordered before the stream's first bytes: both tasks go to the event loop from this thread.
        ctx.executor().execute(() -> enterStreaming(ctx, sse));
        api.metrics().httpResponse(200);
        sse.start(subscription);
        return null;
    }

    private void enterStreaming(ChannelHandlerContext ctx, SseSession sse) {
        streaming = true;
        session = sse;
        queue.clear();
        guard.streaming();
        // Reading stays on so that a client that goes away is noticed at once.
        ctx.channel().config().setAutoRead(true);
    }

    private void afterResponse(ChannelHandlerContext ctx, HttpCall call, boolean success) {
        if (!success || !call.keepAlive()) {
            ctx.close();
            return;
        }
        next(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (session != null) {
            session.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        queue.clear();
        if (session != null) {
            session.writabilityChanged(); // wakes a sender waiting for a client that left
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (busy && !streaming && ctx.channel().isActive()) {
            pendingClose = promise; // graceful: after the response in progress
            return;
        }
        ctx.close(promise);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpObject || msg instanceof ByteBuf) {
            ctx.write(msg, promise);
            return;
        }
        // grpc-java's close commands (and nothing else) arrive here. While the server serves, the
        // only one is its handshake timeout: gRPC counts every connection as unready until an
        // HTTP/2 handshake that an HTTP/1.1 connection never makes, and would cut each one (live
        // event streams, a long membership change) 10 s after it opened. The sniffer already
        // bounded this connection's start. Once the server stops, the command means "close now".
        ReferenceCountUtil.release(msg);
        promise.trySuccess();
        if (!api.serving()) {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
