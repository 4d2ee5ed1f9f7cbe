package io.factum.framework;

import java.time.Duration;

/** How a command handler waits between attempts; tests pass one that records instead of sleeping. */
@FunctionalInterface
public interface Pause {
    void sleep(Duration duration) throws InterruptedException;

    /** {@link Thread#sleep(Duration)}. */
    static Pause sleeping() {
        return Thread::sleep;
    }
}
