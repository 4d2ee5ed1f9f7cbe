package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {

    private static SnapshotPolicy.Progress progress(
            long events, long ageSeconds, long replayMicros, long snapshotMicros) {
        return new SnapshotPolicy.Progress(
                events,
                Duration.ofSeconds(ageSeconds),
                Duration.ofNanos(replayMicros * 1000),
                Duration.ofNanos(snapshotMicros * 1000));
    }

    @Test
    void everyEventsCountsTheEventsSinceTheLastSnapshot() {
        SnapshotPolicy policy = SnapshotPolicy.everyEvents(100);
        assertThat(policy.due(progress(99, 0, 0, 0))).isFalse();
        assertThat(policy.due(progress(100, 0, 0, 0))).isTrue();
    }

    @Test
    void everyDurationNeedsAnUncoveredEventThatOld() {
        SnapshotPolicy policy = SnapshotPolicy.every(Duration.ofMinutes(1));
        assertThat(policy.due(progress(5, 59, 0, 0))).isFalse();
        assertThat(policy.due(progress(5, 60, 0, 0))).isTrue();
        assertThat(policy.due(progress(0, 600, 0, 0))).as("nothing new").isFalse();
    }

    @Test
    void adaptiveWeighsTheReplayCostAgainstTheBudgetAndTheCostOfASnapshot() {
        SnapshotPolicy policy = SnapshotPolicy.adaptive(Duration.ofMillis(1));
        assertThat(policy.due(progress(50, 0, 1000, 0))).as("at the budget").isFalse();
        assertThat(policy.due(progress(50, 0, 1001, 0))).isTrue();
        assertThat(policy.due(progress(50, 0, 3000, 5000)))
                .as("a snapshot would cost more than the replay it saves")
                .isFalse();
    }

    @Test
    void anyOfIsDueWhenOneIs() {
        SnapshotPolicy policy =
                SnapshotPolicy.anyOf(SnapshotPolicy.everyEvents(10), SnapshotPolicy.every(Duration.ofHours(1)));
        assertThat(policy.due(progress(3, 10, 0, 0))).isFalse();
        assertThat(policy.due(progress(10, 10, 0, 0))).isTrue();
        assertThat(policy.due(progress(3, 3600, 0, 0))).isTrue();
        assertThat(SnapshotPolicy.onDemand().due(progress(1_000_000, 1_000_000, 1_000_000, 0)))
                .isFalse();
    }

    @Test
    void nonsenseSettingsAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> SnapshotPolicy.everyEvents(0)).hasMessageContaining("count must be >= 1");
        assertThatThrownBy(() -> SnapshotPolicy.every(Duration.ZERO)).hasMessageContaining("interval must be positive");
        assertThatThrownBy(() -> SnapshotPolicy.adaptive(Duration.ofMillis(-1)))
                .hasMessageContaining("budget must be positive");
        assertThatThrownBy(SnapshotPolicy::anyOf).hasMessageContaining("at least one policy");
    }
}
