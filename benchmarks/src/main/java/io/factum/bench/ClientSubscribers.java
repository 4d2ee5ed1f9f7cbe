package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.SubscribeToAllOptions;
import com.eventstore.dbclient.Subscription;
import com.eventstore.dbclient.SubscriptionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * N catch-up subscriptions to {@code $all} from its end, through the official client, recording
 * append-to-delivery latency: the delivery's {@code System.nanoTime()} minus the writer's, which
 * the event data carries ({@link Payloads}). Writers and subscribers share this process, so the
 * clocks agree.
 *
 * <p>Thread-safe: the client delivers on its own threads.
 */
final class ClientSubscribers implements AutoCloseable {

    private final Recorder recorder = new Recorder(Latency.SIGNIFICANT_DIGITS);
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    /** Until the driver sets it, nothing is measured. */
    private volatile long measureFrom = Long.MAX_VALUE;

    /** Subscribes {@code count} times and waits for every confirmation. */
    static ClientSubscribers start(EventStoreDBClient client, int count) throws Exception {
        ClientSubscribers s = new ClientSubscribers();
        for (int i = 0; i < count; i++) {
            s.subscriptions.add(client.subscribeToAll(
                            s.new Listener(), SubscribeToAllOptions.get().fromEnd())
                    .get(30, TimeUnit.SECONDS));
        }
        return s;
    }

    void measureFrom(long nanoTime) {
        measureFrom = nanoTime;
    }

    long received() {
        return received.get();
    }

    /**
     * Waits (bounded) until {@code n} deliveries arrived in total; returns how many did.
     *
     * @throws BenchmarkFailedException when a subscription failed
     */
    long awaitAtLeast(long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.get() < n && failure.get() == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        Optional.ofNullable(failure.get()).ifPresent(t -> {
            throw new BenchmarkFailedException("a subscription failed: " + t, t);
        });
        return received.get();
    }

    Histogram histogram() {
        return recorder.getIntervalHistogram();
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::stop);
    }

    private final class Listener extends SubscriptionListener {
        @Override
        public void onEvent(Subscription subscription, ResolvedEvent event) {
            long now = System.nanoTime();
            long appendStart = Payloads.nanoTimeOf(event.getOriginalEvent().getEventData());
            if (appendStart >= measureFrom) {
                recorder.recordValue(Math.max(0, now - appendStart));
            }
            received.incrementAndGet();
        }

        @Override
        public void onCancelled(Subscription subscription, Throwable exception) {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
        }
    }
}
