package io.factum.engine.internal.store;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes subscriptions after each group commit. A subscriber reads its {@link #sequence()} before
 * looking for new records and, when it finds none, waits for the sequence to move past it: a
 * commit between the look and the wait is never missed.
 *
 * <p>Thread-safe.
 */
public final class CommitNotifier {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile long sequence;

    public long sequence() {
        return sequence;
    }

    /** Called by the writer after records became durable and indexed, and on close. */
    public void signal() {
        lock.lock();
        try {
            sequence++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the sequence differs from {@code seen}, at most {@code timeoutMs}. */
    public void awaitChange(long seen, long timeoutMs) {
        long remaining = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (sequence == seen && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
