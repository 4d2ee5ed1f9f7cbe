package io.factum.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap in use after forcing garbage collection, for the index-memory scenario.
 *
 * <p>{@code System.gc()} is a request; with the default collectors (G1, Parallel, Serial) it runs a
 * full collection unless {@code -XX:+DisableExplicitGC}. Several rounds are run until the used heap
 * stops shrinking, so that objects freed by finalization-like cleanups (cleaners, reference
 * processing) are gone too.
 *
 * <p>Stateless; call from one thread at a time (concurrent allocation would blur the figure).
 */
final class HeapMeter {

    private static final int MAX_ROUNDS = 8;
    private static final long STABLE_BYTES = 256 * 1024;

    private HeapMeter() {}

    /** Heap bytes in use after collections, once two rounds agree within 256 KiB. */
    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            System.gc();
            // Give reference processing and cleaner threads a moment between rounds.
            Thread.sleep(50);
            used = memory.getHeapMemoryUsage().getUsed();
            if (round >= 2 && Math.abs(previous - used) < STABLE_BYTES) {
                return used;
            }
            previous = used;
        }
        return used;
    }

    /** Bytes in direct and mapped buffers: memory outside the heap the index may use. */
    static long offHeapBufferBytes() {
        long sum = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            sum += Math.max(0, pool.getMemoryUsed());
        }
        return sum;
    }
}
