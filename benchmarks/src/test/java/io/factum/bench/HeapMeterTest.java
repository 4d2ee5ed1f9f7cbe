package io.factum.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapMeterTest {

    /** Reachable from a static field so that no collection can reclaim it during the test. */
    private static byte[] retained = new byte[0];

    @Test
    void seesRetainedMemoryAfterCollection() throws InterruptedException {
        long before = HeapMeter.usedAfterGc();
        retained = new byte[64 << 20];

        long after = HeapMeter.usedAfterGc();

        assertThat(before).isPositive();
        // 64 MiB retained; allow a little for unrelated allocation and region rounding.
        assertThat(after - before).isGreaterThan(60L << 20);
        retained = new byte[0];
        assertThat(HeapMeter.offHeapBufferBytes()).isNotNegative();
    }
}
