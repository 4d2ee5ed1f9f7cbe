package io.factum.server.http;

import io.factum.api.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and sizes of the HTTP side of the server.
 *
 * @param sniffTimeout how long a new connection may take to send enough bytes to tell gRPC from
 *     HTTP/1.1 before it is closed
 * @param requestTimeout how long a request may take to arrive completely once its first byte came
 *     (a slowloris client gets 408 and is closed)
 * @param idleTimeout how long a keep-alive connection may stay silent between requests
 * @param heartbeatInterval how often a Server-Sent Events stream sends a comment line, so proxies
 *     keep it open and a dead client is noticed
 * @param sseHighWaterMarkBytes unflushed bytes after which an event stream waits for its client;
 *     it resumes below half of this
 * @param maxPipelinedRequests requests one connection may queue behind the one being answered
 */
public record HttpOptions(
        Duration sniffTimeout,
        Duration requestTimeout,
        Duration idleTimeout,
        Duration heartbeatInterval,
        int sseHighWaterMarkBytes,
        int maxPipelinedRequests) {

    public HttpOptions {
        positive("sniffTimeout", sniffTimeout);
        positive("requestTimeout", requestTimeout);
        positive("idleTimeout", idleTimeout);
        positive("heartbeatInterval", heartbeatInterval);
        if (sseHighWaterMarkBytes < 1024) {
            throw new InvalidInputException("sseHighWaterMarkBytes", sseHighWaterMarkBytes, "must be >= 1024");
        }
        if (maxPipelinedRequests < 1) {
            throw new InvalidInputException("maxPipelinedRequests", maxPipelinedRequests, "must be >= 1");
        }
    }

    /**
     * 10 s to choose the protocol, 30 s per request, 60 s idle keep-alive, a heartbeat every 15 s,
     * 64 KiB of unflushed event-stream bytes, 16 pipelined requests.
     */
    public static HttpOptions defaults() {
        return new HttpOptions(
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                Duration.ofSeconds(15),
                64 * 1024,
                16);
    }

    public HttpOptions withHeartbeatInterval(Duration interval) {
        return new HttpOptions(
                sniffTimeout, requestTimeout, idleTimeout, interval, sseHighWaterMarkBytes, maxPipelinedRequests);
    }

    public HttpOptions withTimeouts(Duration sniff, Duration request, Duration idle) {
        return new HttpOptions(sniff, request, idle, heartbeatInterval, sseHighWaterMarkBytes, maxPipelinedRequests);
    }

    private static void positive(String field, Duration value) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new InvalidInputException(field, value, "must be positive");
        }
    }
}
