package io.factum.cli;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code factum tail}: a live subscription printed until Ctrl-C (or {@code --limit}).
 *
 * <p>Threads: the subscription's thread prints events; the main thread waits for the end (the
 * limit, a failed subscription, or the shutdown hook) and then closes the subscription and the
 * store. The shutdown hook waits, bounded, for that close, so that Ctrl-C leaves the data directory
 * closed cleanly.
 */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Prints new events of a stream, or of $all without STREAM, as they are committed, until Ctrl-C.",
            "The data directory stays open (locked) while tail runs, so in embedded mode other processes"
                    + " cannot write to it meanwhile; --from-start shows the stored events first.",
            ""
        })
final class TailCommand extends Verb {

    /** How long Ctrl-C waits for the store to close before the JVM goes down regardless. */
    static final long SHUTDOWN_WAIT_SECONDS = 10;

    @Parameters(index = "0", arity = "0..1", paramLabel = "STREAM", description = "The stream (default: $all).")
    Optional<String> stream = Optional.empty();

    @Option(names = "--from-start", description = "Start with the first stored event instead of new ones only.")
    boolean fromStart;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N events.")
    Optional<Long> limit = Optional.empty();

    @Mixin
    FilterOptions filters = new FilterOptions();

    @Override
    public Integer call() throws IOException, InterruptedException {
        long max = positiveLimit(limit.orElse(Long.MAX_VALUE));
        SubscribeFrom from = fromStart ? SubscribeFrom.start() : SubscribeFrom.end();
        var allOptions = SubscribeAllOptions.from(from).withFilter(filters.filter());
        if (stream.isPresent() && !(allOptions.filter() instanceof EventFilter.None)) {
            throw CliException.usage("filters apply to $all only: leave out STREAM, or the filter options");
        }
        Printer printer = new Printer(EventOutput.create(json(), io(), true), max);
        CountDownLatch closed = new CountDownLatch(1);
        ShutdownHooks.Registration hook = root.context().shutdownHooks().register(() -> {
            printer.done.countDown();
            awaitQuietly(closed);
        });
        try (EventStore store = openExisting()) {
            Subscription subscription = stream.isPresent()
                    ? store.subscribeToStream(stream.get(), from, printer)
                    : store.subscribeToAll(allOptions, printer);
            try {
                printer.done.await();
            } finally {
                subscription.close();
            }
        } finally {
            printer.output.finish();
            closed.countDown();
            hook.close();
        }
        Throwable failure = printer.failure.get();
        if (failure != null) {
            throw failure instanceof RuntimeException e ? e : new IllegalStateException(failure);
        }
        return ExitCodes.OK;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Prints deliveries; called on the subscription's thread, one call at a time. */
    private final class Printer implements SubscriptionListener {
        final EventOutput output;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicLong printed = new AtomicLong();
        private final AtomicBoolean caughtUpSaid = new AtomicBoolean();
        private final long max;

        Printer(EventOutput output, long max) {
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
            if (!json() && caughtUpSaid.compareAndSet(false, true)) {
                io().err().println("factum: caught up; waiting for new events (Ctrl-C to stop)");
                io().err().flush();
            }
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            error.ifPresent(failure::set);
            done.countDown();
        }
    }
}
