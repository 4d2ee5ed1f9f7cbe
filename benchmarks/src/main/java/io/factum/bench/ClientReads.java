package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.ReadMessage;
import com.eventstore.dbclient.ReadStreamOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Reads through the official client's reactive API, counting events without keeping them (the
 * future-based API collects a whole read in a list). Requests {@link #WINDOW} messages at a time.
 *
 * <p>Stateless; each call is independent.
 */
final class ClientReads {

    static final int WINDOW = 1024;
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    private ClientReads() {}

    /** Reads {@code $all} forwards from the start, at most {@code maxCount} events; returns the count. */
    static long readAll(EventStoreDBClient client, long maxCount, AtomicLong progress) throws Exception {
        return count(
                client.readAllReactive(
                        ReadAllOptions.get().forwards().fromStart().maxCount(maxCount)),
                progress);
    }

    /** Reads each stream forwards from its start to its end; returns the events read. */
    static long readStreams(EventStoreDBClient client, List<String> streams, AtomicLong progress) throws Exception {
        long total = 0;
        for (String stream : streams) {
            total += count(
                    client.readStreamReactive(
                            stream,
                            ReadStreamOptions.get().forwards().fromStart().maxCount(Long.MAX_VALUE)),
                    progress);
        }
        return total;
    }

    private static long count(Publisher<ReadMessage> publisher, AtomicLong progress) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        publisher.subscribe(new Subscriber<>() {
            private Subscription subscription;
            private long events;
            private int sinceRequest;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                s.request(WINDOW);
            }

            @Override
            public void onNext(ReadMessage message) {
                if (message.hasEvent()) {
                    events++;
                    progress.incrementAndGet();
                }
                if (++sinceRequest == WINDOW / 2) {
                    sinceRequest = 0;
                    subscription.request(WINDOW / 2);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(events);
            }
        });
        return done.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
