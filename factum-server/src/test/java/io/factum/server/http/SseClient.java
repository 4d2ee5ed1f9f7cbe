package io.factum.server.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads a Server-Sent Events response frame by frame, as a browser's EventSource parses it: fields
 * up to a blank line make one frame; comment lines are kept apart so tests can see heartbeats.
 */
final class SseClient implements AutoCloseable {

    /** One dispatched frame; {@code id} and {@code event} are empty when the frame had none. */
    record Frame(String id, String event, String data) {}

    private static final String END = "\u0000end";

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> comments = java.util.Collections.synchronizedList(new ArrayList<>());

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        Thread.ofVirtual().start(this::pump);
    }

    static SseClient open(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        return new SseClient(client.send(request, HttpResponse.BodyHandlers.ofLines()));
    }

    int status() {
        return response.statusCode();
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse("");
    }

    List<String> comments() {
        return List.copyOf(comments);
    }

    private void pump() {
        try (Stream<String> body = response.body()) {
            body.forEach(line -> {
                if (line.startsWith(":")) {
                    comments.add(line); // a comment; EventSource ignores it
                } else {
                    lines.add(line);
                }
            });
        } catch (RuntimeException e) {
            // the connection closed under the reader
        } finally {
            lines.add(END);
        }
    }

    /** The next frame, or an AssertionError when none arrives in time or the stream ended. */
    Frame next(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = "";
        String event = "";
        StringBuilder data = null;
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no event within " + timeout);
            }
            if (line.equals(END)) {
                throw new StreamEndedException();
            }
            if (line.isEmpty()) {
                if (data != null) {
                    return new Frame(id, event, data.toString());
                }
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" ->
                    data = data == null
                            ? new StringBuilder(value)
                            : data.append('\n').append(value);
                default -> {}
            }
        }
    }

    /** The next frame whose event name is {@code event}, skipping others. */
    Frame next(String event, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame.event().equals(event)) {
                return frame;
            }
        }
    }

    /** Waits for the server to end the response. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return false;
            }
            if (line.equals(END)) {
                return true;
            }
        }
    }

    @Override
    public void close() {
        response.body().close();
    }

    /** The server ended the response. */
    static final class StreamEndedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamEndedException() {
            super("the event stream ended");
        }
    }
}
