package io.factum.server.http;

import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.server.metrics.TrackedSubscription;
import io.factum.server.metrics.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One Server-Sent Events response fed by a store subscription. Each event is one frame: {@code id}
 * (the version, or the position on {@code $all}, so that {@code Last-Event-ID} resumes after it),
 * {@code event: event}, and the event's JSON on one {@code data} line. {@code caught-up}, {@code
 * checkpoint} (filtered {@code $all}) and {@code error} frames say the rest; a comment line every
 * heartbeat interval keeps proxies from closing a quiet stream.
 *
 * <p>Backpressure: the subscription's thread writes a frame only while the channel is writable and
 * otherwise waits, so at most one frame beyond the connection's high water mark is ever buffered; the
 * store's subscription, blocked meanwhile, falls behind and later reads from storage. A slow client
 * slows only its own stream.
 *
 * <p>Thread-safety: the listener methods run on the subscription's thread, one at a time; {@link
 * #start} on the request's virtual thread; the heartbeat and writability signals on the event loop.
 */
final class SseSession implements SubscriptionListener {

    private static final long WAIT_SLICE_MS = 100;

    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private final HttpOptions options;
    private final HttpApi api;
    private final boolean toAll;
    private final TrackedSubscription tracked;
    private final CountDownLatch started = new CountDownLatch(1);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private volatile @Nullable Subscription subscription;
    private volatile @Nullable ScheduledFuture<?> heartbeat;

    SseSession(ChannelHandlerContext ctx, HttpOptions options, HttpApi api, boolean toAll) {
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.options = options;
        this.api = api;
        this.toAll = toAll;
        this.tracked = api.metrics().subscriptionOpened(Transport.HTTP, toAll);
    }

    /** The subscription could not start: nothing was written, nothing is left running. */
    void abandon() {
        tracked.close();
        started.countDown();
    }

    /** Sends the response head, then lets the subscription's frames through. */
    void start(Subscription running) {
        this.subscription = running;
        var head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        head.headers().set("X-Accel-Buffering", "no"); // tells nginx not to hold the stream back
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(frame(": factum event stream\n\n"));
        long every = options.heartbeatInterval().toNanos();
        heartbeat = ctx.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener(f -> api.executor().execute(this::stop));
        started.countDown();
    }

    @Override
    public void onEvent(Subscription s, RecordedEvent event) {
        String id = Long.toString(toAll ? event.position() : event.version());
        send("id: " + id + "\nevent: event\ndata: "
                + api.json().write(api.json().toNode(event)) + "\n\n");
        tracked.delivered(event.position());
        api.metrics().eventsDelivered(Transport.HTTP, 1);
    }

    @Override
    public void onCheckpoint(Subscription s, long position) {
        if (position == 0) {
            return;
        }
        long last = position - 1; // everything up to here was examined: resume after it
        send("id: " + last + "\nevent: checkpoint\ndata: {\"position\":" + last + "}\n\n");
        tracked.examinedBelow(position);
    }

    @Override
    public void onCaughtUp(Subscription s) {
        send("event: caught-up\ndata: {}\n\n");
        tracked.caughtUp();
    }

    @Override
    public void onStopped(Subscription s, Optional<Throwable> error) {
        tracked.close();
        cancelHeartbeat();
        if (error.isEmpty() || error.get() instanceof ClientGoneException) {
            return;
        }
        awaitStart();
        // The stream cannot go on (tombstoned stream, store closed): say why, end it, close.
        String json = api.json().write(api.errors().body(error.get()));
        ctx.write(frame("event: error\ndata: " + json + "\n\n"));
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> ctx.close());
    }

    /** The channel became writable again, or closed: wake a waiting sender. */
    void writabilityChanged() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void send(String text) {
        awaitStart();
        awaitWritable();
        ctx.writeAndFlush(frame(text));
    }

    private void awaitStart() {
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException();
        }
    }

    private void awaitWritable() {
        lock.lock();
        try {
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new ClientGoneException();
                }
                // The slice is a safety net against a missed signal; the dispatcher signals changes.
                writable.await(WAIT_SLICE_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException();
        } finally {
            lock.unlock();
        }
    }

    private void heartbeat() {
        if (channel.isWritable()) {
            ctx.writeAndFlush(frame(": heartbeat\n\n"));
        }
    }

    /** On a virtual thread once the connection closed: stops the subscription. */
    private void stop() {
        cancelHeartbeat();
        writabilityChanged();
        Subscription running = subscription;
        if (running != null) {
            running.close();
        }
        tracked.close();
    }

    private void cancelHeartbeat() {
        ScheduledFuture<?> beat = heartbeat;
        if (beat != null) {
            beat.cancel(false);
        }
    }

    private static DefaultHttpContent frame(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** The client went away; thrown from a listener method, it stops the subscription quietly. */
    static final class ClientGoneException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGoneException() {
            super("the event stream's client went away", null, false, false);
        }
    }
}
