package io.factum.framework;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How often a command is decided again after a concurrent write got there first, and how long to
 * wait in between: exponential backoff with full jitter (a random wait between zero and the
 * exponential bound), so that writers that collided once do not collide again in lock step.
 *
 * @param maxAttempts decisions at most, the first included (at least 1)
 * @param firstDelay the bound of the wait before the second attempt; it doubles per attempt
 * @param maxDelay the largest bound
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay) {

    /** Ten attempts, waits bounded by 2 ms, 4 ms, ... up to 200 ms. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofMillis(2), Duration.ofMillis(200));

    public RetryPolicy {
        Objects.requireNonNull(firstDelay, "firstDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ", must be at least 1");
        }
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException(
                    "delays must satisfy 0 <= firstDelay <= maxDelay (got " + firstDelay + ", " + maxDelay + ")");
        }
    }

    /** No retry: a concurrent write fails the command at once. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /**
     * The wait before attempt {@code attempt} (2 for the first retry): uniformly random in {@code
     * [0, min(maxDelay, firstDelay * 2^(attempt - 2))]}.
     */
    public Duration delayBefore(int attempt, RandomGenerator random) {
        if (attempt < 2) {
            throw new IllegalArgumentException("attempt " + attempt + " has no delay before it");
        }
        long bound = firstDelay.toNanos();
        for (int i = 2; i < attempt && bound < maxDelay.toNanos(); i++) {
            bound *= 2;
        }
        bound = Math.min(bound, maxDelay.toNanos());
        return Duration.ofNanos(bound == 0 ? 0 : random.nextLong(bound + 1));
    }
}
