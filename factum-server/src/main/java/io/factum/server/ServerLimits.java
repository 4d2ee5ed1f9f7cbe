package io.factum.server;

import io.factum.api.InvalidInputException;

/**
 * Limits the server enforces on its connections, on top of the store's own {@link
 * io.factum.api.StoreLimits}.
 *
 * @param maxMessageBytes largest gRPC message or HTTP body accepted
 * @param maxConcurrentCallsPerConnection most calls (HTTP/2 streams) open at once on one connection
 * @param maxSubscriptionsPerConnection most subscriptions (catch-up and persistent) one connection
 *     may hold open
 */
public record ServerLimits(
        int maxMessageBytes, int maxConcurrentCallsPerConnection, int maxSubscriptionsPerConnection) {

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
    }

    /**
     * Messages up to 17 MiB (the store's largest append, 16 MiB, plus framing); 1,000 concurrent calls
     * and 200 subscriptions per connection.
     */
    public static ServerLimits defaults() {
        return new ServerLimits(17 << 20, 1000, 200);
    }
}
