package io.factum.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/** Which threads the writers run on. */
enum ThreadKind {
    PLATFORM,
    VIRTUAL;

    Thread.Builder builder(String namePrefix) {
        return this == VIRTUAL
                ? Thread.ofVirtual().name(namePrefix, 0)
                : Thread.ofPlatform().daemon(true).name(namePrefix, 0);
    }

    /** Starts {@code count} threads of this kind running {@code body} with their index, 0 first. */
    List<Thread> start(String namePrefix, int count, IntConsumer body) {
        Thread.Builder builder = builder(namePrefix);
        List<Thread> threads = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            threads.add(builder.start(() -> body.accept(index)));
        }
        return threads;
    }

    /**
     * Waits for the threads until {@code deadlineNanos} ({@code System.nanoTime()}); a thread still
     * alive then fails the run, named with {@code role}, rather than hang the benchmark.
     */
    static void joinBy(List<Thread> threads, long deadlineNanos, String role) throws InterruptedException {
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime())));
            if (t.isAlive()) {
                throw new BenchmarkFailedException(role + " " + t.getName() + " still blocked 2 minutes after the end");
            }
        }
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
