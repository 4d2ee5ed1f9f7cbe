package io.factum.cli;

import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * A live subscription printed until Ctrl-C, a limit or a failure: what {@code tail} and {@code
 * read-query --follow} share.
 *
 * <p>Threads: the subscription's thread prints events; the calling thread waits for the end (the
 * limit, a failed subscription, or the shutdown hook) and then closes the subscription and the
 * store. The shutdown hook waits, bounded, for that close, so that Ctrl-C leaves the data directory
 * closed cleanly.
 */
final class Following {

    /** How long Ctrl-C waits for the store to close before the JVM goes down regardless. */
    static final long SHUTDOWN_WAIT_SECONDS = 10;

    private Following() {}

    /**
     * Opens the store through {@code verb}, subscribes with {@code subscribe} and prints until the
     * end; a subscription that failed is rethrown.
     *
     * @param max most events to print
     */
    static void run(
            Verb verb,
            EventOutput output,
            long max,
            BiFunction<EventStore, SubscriptionListener, Subscription> subscribe)
            throws IOException, InterruptedException {
        Printer printer = new Printer(verb, output, max);
        CountDownLatch closed = new CountDownLatch(1);
        ShutdownHooks.Registration hook = verb.root.context().shutdownHooks().register(() -> {
            printer.done.countDown();
            awaitQuietly(closed);
        });
        try (EventStore store = verb.openExisting()) {
            Subscription subscription = subscribe.apply(store, printer);
            try {
                printer.done.await();
            } finally {
                subscription.close();
            }
        } finally {
            output.finish();
            closed.countDown();
            hook.close();
        }
        Throwable failure = printer.failure.get();
        if (failure != null) {
            throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints deliveries; called on the subscription's thread, one call at a time. */
    private static final class Printer implements SubscriptionListener {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Verb verb;
        private final EventOutput output;
        private final AtomicLong printed = new AtomicLong();
        private final AtomicBoolean caughtUpSaid = new AtomicBoolean();
        private final long max;

        Printer(Verb verb, EventOutput output, long max) {
            this.verb = verb;
            this.output = output;
            this.max = max;
        }

        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            // Deliveries between reaching the limit and the close are dropped, not printed.
            if (printed.get() < max) {
                output.event(event);
                if (printed.incrementAndGet() == max) {
                    done.countDown();
                }
            }
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            if (!verb.json() && caughtUpSaid.compareAndSet(false, true)) {
                verb.io().err().println("factum: caught up; waiting for new events (Ctrl-C to stop)");
                verb.io().err().flush();
            }
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            error.ifPresent(failure::set);
            done.countDown();
        }
    }
}
