package io.factum.engine.internal.store;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer's inbox: many producers, one consumer, bounded in count. Producers never take a lock
 * (a CAS on a semaphore and one on the list), because with 64 platform threads returning from the
 * same group commit at once, a lock on the enqueue path convoys: each contended acquire parks and
 * unparks a thread, and that, not the fsync, becomes the ceiling. The consumer parks only when the
 * queue is empty and is woken by the producer that sees it parked.
 *
 * <p>Thread-safe for producers; {@link #take} and {@link #drainTo} from the consumer thread only.
 */
final class CommandQueue<T> {
    private final ConcurrentLinkedQueue<T> items = new ConcurrentLinkedQueue<>();
    private final Semaphore slots;
    private final int capacity;
    private volatile Thread consumer;
    private volatile boolean consumerParked;

    CommandQueue(int capacity) {
        this.capacity = capacity;
        this.slots = new Semaphore(capacity);
    }

    void setConsumer(Thread thread) {
        this.consumer = thread;
    }

    /** Adds an item, waiting (uninterruptibly) while the queue is full. */
    void put(T item) {
        slots.acquireUninterruptibly();
        items.offer(item);
        Thread waiting = consumer;
        if (consumerParked && waiting != null) {
            LockSupport.unpark(waiting);
        }
    }

    /** The next item, parking while there is none. Consumer only. */
    T take() {
        T item = items.poll();
        while (item == null) {
            // Dekker-style: publish "parked" before the last look, so a producer that offered
            // before this look is seen by it, and one that offers after it sees the flag.
            consumerParked = true;
            item = items.poll();
            if (item == null) {
                LockSupport.park(this);
                item = items.poll();
            }
            consumerParked = false;
        }
        slots.release();
        return item;
    }

    /** Moves up to {@code max} waiting items to {@code out}; returns how many. Consumer only. */
    int drainTo(List<T> out, int max) {
        int moved = 0;
        T item;
        while (moved < max && (item = items.poll()) != null) {
            out.add(item);
            moved++;
        }
        if (moved > 0) {
            slots.release(moved);
        }
        return moved;
    }

    /** Items waiting now (approximate while producers are active). */
    int size() {
        return capacity - slots.availablePermits();
    }
}
