package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class MemoryModelTest {

    /** heap = 5 MiB fixed + 20 bytes/event + 150 bytes/stream. */
    private static long heap(long events, long streams) {
        return (5L << 20) + 20 * events + 150 * streams;
    }

    @Test
    void recoversFixedPerEventAndPerStreamCostsFromThreePoints() {
        MemoryModel m = MemoryModel.fit(
                new MemoryModel.Point(2_000_000, 2_000, heap(2_000_000, 2_000)),
                new MemoryModel.Point(2_000_000, 200_000, heap(2_000_000, 200_000)),
                new MemoryModel.Point(1_000_000, 1_000, heap(1_000_000, 1_000)));

        assertThat(m.fixedBytes()).isCloseTo(5 << 20, offset(1e-3));
        assertThat(m.bytesPerEvent()).isCloseTo(20.0, offset(1e-9));
        assertThat(m.bytesPerStream()).isCloseTo(150.0, offset(1e-9));
        assertThat(m.predict(100_000_000, 10_000_000)).isCloseTo(heap(100_000_000, 10_000_000), offset(1.0));
    }

    @Test
    void pointsThatCannotSeparateTheCostsGiveNaN() {
        // The third point lies on the line through the first two (same events/stream ratio).
        MemoryModel m = MemoryModel.fit(
                new MemoryModel.Point(1000, 10, 5000),
                new MemoryModel.Point(2000, 20, 9000),
                new MemoryModel.Point(3000, 30, 13_000));

        assertThat(m.bytesPerEvent()).isNaN();
        assertThat(m.bytesPerStream()).isNaN();
        assertThat(m.fixedBytes()).isNaN();
    }
}
