package io.factum.server;

import io.factum.api.InvalidInputException;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits the server enforces on its connections, on top of the store's own {@link
 * io.factum.api.StoreLimits}.
 *
 * @param maxMessageBytes largest gRPC message or HTTP body accepted
 * @param maxConcurrentCallsPerConnection most calls (HTTP/2 streams) open at once on one connection
 * @param maxSubscriptionsPerConnection most subscriptions (catch-up and persistent) one connection
 *     may hold open; one more is refused with RESOURCE_EXHAUSTED
 * @param handshakeTimeout how long a new connection may take to complete its TLS and HTTP/2
 *     handshakes before it is closed (slow or idle openers would otherwise hold sockets)
 * @param maxConnectionIdle a connection without any call for this long is closed gracefully
 *     (clients reconnect transparently on their next call)
 */
public record ServerLimits(
        int maxMessageBytes,
        int maxConcurrentCallsPerConnection,
        int maxSubscriptionsPerConnection,
        Duration handshakeTimeout,
        Duration maxConnectionIdle) {

    public ServerLimits {
        if (maxMessageBytes < 1024) {
            throw new InvalidInputException("maxMessageBytes", maxMessageBytes, "must be at least 1024");
        }
        if (maxConcurrentCallsPerConnection < 1) {
            throw new InvalidInputException(
                    "maxConcurrentCallsPerConnection", maxConcurrentCallsPerConnection, "must be >= 1");
        }
        if (maxSubscriptionsPerConnection < 1) {
            throw new InvalidInputException(
                    "maxSubscriptionsPerConnection", maxSubscriptionsPerConnection, "must be >= 1");
        }
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(maxConnectionIdle, "maxConnectionIdle");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new InvalidInputException("handshakeTimeout", handshakeTimeout, "must be positive");
        }
        if (maxConnectionIdle.isNegative() || maxConnectionIdle.isZero()) {
            throw new InvalidInputException("maxConnectionIdle", maxConnectionIdle, "must be positive");
        }
    }

    /** The three counts, with the default timeouts. */
    public ServerLimits(int maxMessageBytes, int maxConcurrentCallsPerConnection, int maxSubscriptionsPerConnection) {
        this(
                maxMessageBytes,
                maxConcurrentCallsPerConnection,
                maxSubscriptionsPerConnection,
                DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_MAX_CONNECTION_IDLE);
    }

    /** Ten seconds, as Netty's own TLS handshake default; gRPC's would be 120 s. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * One hour: long enough never to disturb a working client, short enough to reclaim connections a
     * crashed client left behind. No maximum connection age: forcing a reconnect would end the
     * connection's subscriptions, which the official clients do not resume by themselves.
     */
    public static final Duration DEFAULT_MAX_CONNECTION_IDLE = Duration.ofHours(1);

    /**
     * Messages up to 17 MiB (the store's largest append, 16 MiB, plus framing); 1,000 concurrent calls
     * and 200 subscriptions per connection.
     */
    public static ServerLimits defaults() {
        return new ServerLimits(17 << 20, 1000, 200);
    }

    public ServerLimits withMaxSubscriptionsPerConnection(int max) {
        return new ServerLimits(
                maxMessageBytes, maxConcurrentCallsPerConnection, max, handshakeTimeout, maxConnectionIdle);
    }
}
