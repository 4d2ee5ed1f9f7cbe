package io.factum.server.persistent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs a task periodically; tests replace it to drive time by hand. */
public interface Scheduler extends AutoCloseable {

    /** Runs {@code task} every {@code period} until closed. */
    void every(Duration period, Runnable task);

    @Override
    void close();

    /** One daemon platform thread; a task must hand long work to other threads. */
    static Scheduler platform(String name) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(name).daemon().factory());
        return new Scheduler() {
            @Override
            public void every(Duration period, Runnable task) {
                executor.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }

    /** Never runs anything: for tests that call the periodic work themselves. */
    static Scheduler manual() {
        return new Scheduler() {
            @Override
            public void every(Duration period, Runnable task) {}

            @Override
            public void close() {}
        };
    }
}
