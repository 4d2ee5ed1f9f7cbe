package io.factum.framework.projection;

import io.factum.api.RecordedEvent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between a projection's reader and one partition's worker. The reader hands
 * over runs of events (one lock and at most one wake-up per run, not per event); a run counts by
 * its events against the capacity, any other item (a watermark, a release) by one.
 */
final class PartitionQueue {
    /** Events of the partition, in position order, as the reader read them together. */
    record Run(List<RecordedEvent> events) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Object> items = new ArrayDeque<>();
    private final int capacity;
    private int weight; // guarded by lock

    PartitionQueue(int capacity) {
        this.capacity = capacity;
    }

    private static int weightOf(Object item) {
        return item instanceof Run run ? run.events().size() : 1;
    }

    /**
     * Adds an item, waiting up to the timeout while it does not fit; anything fits an empty
     * queue, so a run larger than the capacity still goes through.
     *
     * @return false when the timeout passed first
     */
    boolean offer(Object item, long timeout, TimeUnit unit) throws InterruptedException {
        int w = weightOf(item);
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (!items.isEmpty() && weight + w > capacity) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos);
            }
            items.addLast(item);
            weight += w;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Adds an item if it fits now. */
    boolean offer(Object item) {
        try {
            return offer(item, 0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Adds an item, waiting as long as it takes to fit. */
    void put(Object item) throws InterruptedException {
        offer(item, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits up to the timeout for an item (or a {@link #wake()}), then moves items to {@code out}
     * until they hold at least {@code maxEvents} events or the queue is empty.
     *
     * @return false when nothing came
     */
    boolean drainTo(List<Object> out, int maxEvents, long timeout, TimeUnit unit) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            if (items.isEmpty()) {
                notEmpty.awaitNanos(unit.toNanos(timeout));
                if (items.isEmpty()) {
                    return false;
                }
            }
            int taken = 0;
            while (!items.isEmpty() && taken < maxEvents) {
                Object item = items.pollFirst();
                int w = weightOf(item);
                weight -= w;
                taken += w;
                out.add(item);
            }
            notFull.signalAll(); // the reader, and whoever puts a release
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the wait of {@link #drainTo} now, with nothing if nothing came. */
    void wake() {
        lock.lock();
        try {
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Events and other items waiting. */
    int size() {
        lock.lock();
        try {
            return weight;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        return size() == 0;
    }
}
