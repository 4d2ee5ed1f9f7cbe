package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(2), Duration.ofMillis(20));

    @Test
    void theBoundDoublesPerAttemptUpToTheMaximumAndTheWaitIsSpreadBelowIt() {
        SplittableRandom random = new SplittableRandom(3);
        long[] bounds = {2, 4, 8, 16, 20, 20};
        for (int i = 0; i < bounds.length; i++) {
            int attempt = i + 2;
            long max = 0;
            long min = Long.MAX_VALUE;
            for (int n = 0; n < 2000; n++) {
                long nanos = policy.delayBefore(attempt, random).toNanos();
                max = Math.max(max, nanos);
                min = Math.min(min, nanos);
            }
            long bound = Duration.ofMillis(bounds[i]).toNanos();
            assertThat(max).as("attempt %d", attempt).isLessThanOrEqualTo(bound).isGreaterThan(bound * 9 / 10);
            assertThat(min).as("attempt %d", attempt).isLessThan(bound / 10);
        }
    }

    @Test
    void badPoliciesAreRefusedByName() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("maxAttempts is 0");
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(1)))
                .hasMessageContaining("firstDelay <= maxDelay");
        assertThatThrownBy(() -> policy.delayBefore(1, new SplittableRandom()))
                .hasMessageContaining("no delay before it");
        assertThat(RetryPolicy.none().delayBefore(2, new SplittableRandom())).isEqualTo(Duration.ZERO);
    }
}
