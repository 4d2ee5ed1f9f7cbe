package io.factum.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.engine.FlushLatency;
import org.junit.jupiter.api.Test;

class FlushTimerTest {

    @Test
    void eachDurationCountsInTheFirstBucketThatHoldsItAndAllAbove() {
        var timer = new FlushTimer();
        timer.record(40_000); // 40 µs: the 50 µs bucket
        timer.record(50_000); // exactly 50 µs: still the 50 µs bucket
        timer.record(700_000); // 700 µs: the 1 ms bucket
        timer.record(2_000_000_000L); // 2 s: above every bound

        FlushLatency latency = timer.snapshot();

        assertThat(latency.upperBoundsMicros()).startsWith(50L, 100L, 250L, 500L, 1_000L);
        assertThat(latency.cumulativeCounts()).startsWith(2L, 2L, 2L, 2L, 3L).endsWith(3L);
        assertThat(latency.count()).isEqualTo(4);
        assertThat(latency.sumNanos()).isEqualTo(40_000 + 50_000 + 700_000 + 2_000_000_000L);
    }
}
