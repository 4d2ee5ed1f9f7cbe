package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EngineOptionsTest {
    private final EngineOptions defaults = EngineOptions.defaults(Path.of("data"));

    @Test
    void eachWitherChangesItsComponentAndNothingElse() {
        Clock fixed = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        StoreLimits d = StoreLimits.defaults();
        StoreLimits limits = new StoreLimits(
                d.maxStreamNameBytes(), d.maxEventTypeBytes(), d.maxEventBytes(), d.maxAppendBytes(), 7, 17);

        assertThat(defaults.withLimits(limits)).isEqualTo(copyWith(defaults, limits, null, -1, -1, -1, null));
        assertThat(defaults.withDurability(Durability.NO_FSYNC))
                .isEqualTo(copyWith(defaults, null, Durability.NO_FSYNC, -1, -1, -1, null));
        assertThat(defaults.withSegmentSizeBytes(1 << 20))
                .isEqualTo(copyWith(defaults, null, null, 1 << 20, -1, -1, null));
        assertThat(defaults.withIndexMemtableEntries(99)).isEqualTo(copyWith(defaults, null, null, -1, 99, -1, null));
        assertThat(defaults.withLogCacheBytes(0)).isEqualTo(copyWith(defaults, null, null, -1, -1, 0, null));
        assertThat(defaults.withClock(fixed)).isEqualTo(copyWith(defaults, null, null, -1, -1, -1, fixed));
        FileIo io = FileIo.system();
        assertThat(defaults.withFileIo(io).fileIo()).isSameAs(io);
    }

    @Test
    void theDefaultLogCacheIsAnEighthOfTheHeapAtMost256MiB() {
        assertThat(defaults.logCacheBytes())
                .isEqualTo(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8))
                .isPositive();
    }

    @Test
    void aNegativeLogCacheIsRefusedByName() {
        assertThatThrownBy(() -> defaults.withLogCacheBytes(-1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("logCacheBytes");
    }

    /** The expected options, built through the canonical constructor (-1 / null: keep). */
    private static EngineOptions copyWith(
            EngineOptions o,
            StoreLimits limits,
            Durability durability,
            long segmentSize,
            int memtable,
            long logCache,
            Clock clock) {
        return new EngineOptions(
                o.dataDir(),
                limits != null ? limits : o.limits(),
                durability != null ? durability : o.durability(),
                segmentSize >= 0 ? segmentSize : o.segmentSizeBytes(),
                o.writeQueueCapacity(),
                o.writeQueueBytes(),
                memtable >= 0 ? memtable : o.indexMemtableEntries(),
                o.idempotencyCacheEntries(),
                logCache >= 0 ? logCache : o.logCacheBytes(),
                clock != null ? clock : o.clock(),
                o.fileIo());
    }
}
