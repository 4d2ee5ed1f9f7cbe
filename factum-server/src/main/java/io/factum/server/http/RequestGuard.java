package io.factum.server.http;

import io.factum.server.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Time limits of an HTTP/1.1 connection, between the socket and the codec. While the server waits
 * for a request, a silent connection is closed after the idle timeout, and a request whose first
 * byte arrived must be complete within the request timeout or gets 408 and the connection closes (a
 * slowloris client holds a connection for that long at most). While a request is being answered, or
 * an event stream runs, no limit applies: that time is the server's.
 *
 * <p>Runs on the channel's event loop only; the dispatcher calls {@link #requestReceived}, {@link
 * #awaitRequest} and {@link #streaming} from there.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

    private enum State {
        WAITING,
        BUSY,
        STREAMING
    }

    private final HttpOptions options;
    private final ServerMetrics metrics;
    private @Nullable ChannelHandlerContext ctx;
    private State state = State.BUSY;
    private boolean bytesSeen;
    private @Nullable ScheduledFuture<?> timer;

    RequestGuard(HttpOptions options, ServerMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        awaitRequest();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (state == State.WAITING && !bytesSeen && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            bytesSeen = true;
            schedule(options.requestTimeout(), this::requestTimedOut);
        }
        context.fireChannelRead(msg);
    }

    /** A complete request reached the dispatcher. */
    void requestReceived() {
        state = State.BUSY;
        cancel();
    }

    /** The dispatcher is ready for the next request. */
    void awaitRequest() {
        state = State.WAITING;
        bytesSeen = false;
        schedule(options.idleTimeout(), this::idleTimedOut);
    }

    /** The connection now carries an event stream until either side closes it. */
    void streaming() {
        state = State.STREAMING;
        cancel();
    }

    private void idleTimedOut() {
        if (state == State.WAITING && !bytesSeen && ctx != null) {
            ctx.close();
        }
    }

    private void requestTimedOut() {
        if (state != State.WAITING || ctx == null) {
            return;
        }
        // The codec sits after this handler, so the reply is written as bytes; no response is in
        // progress while the server waits for a request, so the connection is at a message boundary.
        String body = "{\"error\":\"request-timeout\",\"message\":\"the request did not arrive completely within "
                + options.requestTimeout().toMillis() + " ms\"}";
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: " + json.length
                + "\r\nconnection: close\r\n\r\n";
        metrics.httpResponse(408);
        ByteBuf reply = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), json);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    private void schedule(Duration delay, Runnable action) {
        cancel();
        if (ctx != null) {
            timer = ctx.executor().schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        cancel();
        context.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        cancel();
    }
}
