package io.factum.engine.internal.store;

import io.factum.engine.FlushLatency;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts group-commit flush durations into fixed buckets. Recorded by the writer thread, read by any
 * thread; a snapshot may be a flush or two behind, never torn within a bucket.
 */
final class FlushTimer {

    /** From a page-cache flush (tens of µs) to a stalled disk (a quarter of a second). */
    private static final long[] BOUNDS_MICROS = {
        50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000, 250_000
    };

    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_MICROS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    void record(long nanos) {
        long micros = nanos / 1_000;
        int bucket = 0;
        while (bucket < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[bucket]) {
            bucket++;
        }
        buckets.incrementAndGet(bucket);
        sumNanos.add(nanos);
    }

    FlushLatency snapshot() {
        List<Long> bounds = new ArrayList<>(BOUNDS_MICROS.length);
        List<Long> cumulative = new ArrayList<>(BOUNDS_MICROS.length);
        long running = 0;
        for (int i = 0; i < BOUNDS_MICROS.length; i++) {
            running += buckets.get(i);
            bounds.add(BOUNDS_MICROS[i]);
            cumulative.add(running);
        }
        long count = running + buckets.get(BOUNDS_MICROS.length);
        return new FlushLatency(bounds, cumulative, count, sumNanos.sum());
    }
}
