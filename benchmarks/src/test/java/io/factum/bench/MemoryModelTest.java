package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class MemoryModelTest {

    @Test
    void recoversPerEventAndPerStreamCostsFromTwoPoints() {
        // heap = 20 bytes/event + 150 bytes/stream
        MemoryModel.Point few = new MemoryModel.Point(1_000_000, 1_000, 20_000_000 + 150_000);
        MemoryModel.Point many = new MemoryModel.Point(1_000_000, 100_000, 20_000_000 + 15_000_000);

        MemoryModel m = MemoryModel.fit(few, many);

        assertThat(m.bytesPerEvent()).isCloseTo(20.0, offset(1e-9));
        assertThat(m.bytesPerStream()).isCloseTo(150.0, offset(1e-9));
        assertThat(m.predict(100_000_000, 10_000_000)).isCloseTo(3.5e9, offset(1.0));
    }

    @Test
    void pointsThatCannotSeparateTheCostsGiveNaN() {
        MemoryModel.Point p = new MemoryModel.Point(1000, 10, 5000);

        MemoryModel m = MemoryModel.fit(p, new MemoryModel.Point(2000, 20, 10_000));

        assertThat(m.bytesPerEvent()).isNaN();
        assertThat(m.bytesPerStream()).isNaN();
    }
}
