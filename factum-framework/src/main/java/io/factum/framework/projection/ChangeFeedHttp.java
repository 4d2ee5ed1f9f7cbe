package io.factum.framework.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A read model's change feed as server-sent events, for the JDK's HTTP server: each event the
 * projection applies becomes {@code event: change} with the stream, position and type, after its
 * commit. {@code ?stream=NAME} keeps one stream's changes; {@code ?after=POSITION} first waits
 * until the read model has applied that position and says so ({@code event: caught-up}), which is
 * how a page shows "pending" and then the result of its own write.
 *
 * <p>Each client has a bounded queue ({@code capacity}); a client too slow to keep up is sent
 * {@code event: overflow} and disconnected, and reconnects with {@code after}. A comment line
 * every {@code keepAlive} keeps proxies from closing an idle stream. Serve it on an executor with
 * a thread per request (virtual threads): a feed holds its thread while open.
 */
public final class ChangeFeedHttp implements HttpHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProjectionRunner<?> runner;
    private final int capacity;
    private final Duration keepAlive;

    public ChangeFeedHttp(ProjectionRunner<?> runner, int capacity, Duration keepAlive) {
        this.runner = runner;
        this.capacity = capacity;
        this.keepAlive = keepAlive;
    }

    @Override
    public void handle(HttpExchange x) throws IOException {
        try (x) {
            String stream = parameter(x, "stream");
            String after = parameter(x, "after");
            BlockingQueue<Change> queue = new ArrayBlockingQueue<>(capacity);
            java.util.concurrent.atomic.AtomicBoolean overflowed = new java.util.concurrent.atomic.AtomicBoolean();
            try (AutoCloseable subscription = runner.changes(change -> {
                if ((stream == null || stream.equals(change.stream())) && !queue.offer(change)) {
                    overflowed.set(true);
                }
            })) {
                x.getResponseHeaders().set("Content-Type", "text/event-stream");
                x.getResponseHeaders().set("Cache-Control", "no-cache");
                x.sendResponseHeaders(200, 0);
                OutputStream out = x.getResponseBody();
                if (after != null) {
                    waitFor(Long.parseLong(after), stream, out);
                }
                stream(queue, overflowed, out);
            } catch (NumberFormatException e) {
                write(x.getResponseBody(), "error", "{\"error\":\"after must be a position\"}");
            } catch (IOException e) {
                // the client went away
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void waitFor(long position, String stream, OutputStream out) throws IOException, InterruptedException {
        boolean reached;
        do {
            reached = stream == null
                    ? runner.awaitPosition(position, keepAlive)
                    : runner.awaitPosition(stream, position, keepAlive);
            if (!reached) {
                out.write(": waiting\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } while (!reached);
        write(out, "caught-up", "{\"position\":" + position + "}");
    }

    private void stream(
            BlockingQueue<Change> queue, java.util.concurrent.atomic.AtomicBoolean overflowed, OutputStream out)
            throws IOException, InterruptedException {
        while (true) {
            Change change = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
            if (overflowed.get()) {
                write(out, "overflow", "{\"error\":\"the client fell behind; reconnect with after\"}");
                return;
            }
            if (change == null) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                continue;
            }
            write(out, "change", JSON.writeValueAsString(change));
        }
    }

    private static void write(OutputStream out, String event, String data) throws IOException {
        out.write(("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String parameter(HttpExchange x, String name) {
        String query = x.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
