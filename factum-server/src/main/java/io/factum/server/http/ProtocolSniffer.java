package io.factum.server.http;

import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The first handler of a connection: holds the bytes that arrive until they show the protocol, then
 * installs the protocol's handlers behind itself, passes the held bytes on and removes itself.
 *
 * <p>At most 24 bytes decide (the length of the HTTP/2 preface): the first byte that differs from the
 * preface means HTTP/1.1. A connection that has not decided within the sniff timeout (silent, or
 * dribbling a prefix of the preface) is closed, so a slow client costs one timer and a few bytes.
 * Runs on the channel's event loop only.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {

    /** What every HTTP/2 client sends first over cleartext (RFC 9113, section 3.4). */
    static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** grpc-java's negotiation event; its class is not public, so it is recognised by its class. */
    private static final Class<?> NEGOTIATION_EVENT =
            InternalProtocolNegotiationEvent.getDefault().getClass();

    enum Protocol {
        UNDECIDED,
        GRPC,
        HTTP1
    }

    private final Supplier<ChannelHandler> grpc;
    private final HttpPipeline http;
    private final Duration timeout;
    private @Nullable ByteBuf held;
    private @Nullable Object negotiationEvent;
    private Protocol protocol = Protocol.UNDECIDED;
    private @Nullable ScheduledFuture<?> deadline;
    private boolean switched;

    ProtocolSniffer(Supplier<ChannelHandler> grpc, HttpPipeline http, Duration timeout) {
        this.grpc = grpc;
        this.http = http;
        this.timeout = timeout;
    }

    /** What the bytes seen so far tell. */
    static Protocol decide(ByteBuf bytes) {
        int n = Math.min(bytes.readableBytes(), HTTP2_PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (bytes.getByte(bytes.readerIndex() + i) != HTTP2_PREFACE[i]) {
                return Protocol.HTTP1;
            }
        }
        return n == HTTP2_PREFACE.length ? Protocol.GRPC : Protocol.UNDECIDED;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor()
                .schedule(
                        () -> {
                            if (!switched) {
                                ctx.close();
                            }
                        },
                        timeout.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (NEGOTIATION_EVENT.isInstance(event)) {
            negotiationEvent = event; // kept for gRPC, which starts its own negotiation with it
            maybeSwitch(ctx);
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (switched || !(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        held = held == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, bytes);
        protocol = decide(held);
        maybeSwitch(ctx);
    }

    private void maybeSwitch(ChannelHandlerContext ctx) {
        if (switched || protocol == Protocol.UNDECIDED) {
            return;
        }
        if (protocol == Protocol.GRPC) {
            if (negotiationEvent == null) {
                return; // grpc-java fires it when the connection starts; it has not yet
            }
            ctx.pipeline().addAfter(ctx.name(), null, grpc.get());
            ctx.fireUserEventTriggered(negotiationEvent);
        } else {
            http.install(ctx.pipeline(), ctx.name());
        }
        switched = true;
        cancelDeadline();
        ByteBuf bytes = held;
        held = null;
        ctx.pipeline().remove(this);
        if (bytes != null) {
            ctx.fireChannelRead(bytes);
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
        if (held != null) {
            held.release();
            held = null;
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
