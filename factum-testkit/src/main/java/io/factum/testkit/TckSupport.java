package io.factum.testkit;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/** Small helpers shared by the TCK's tests: event factories, full reads, bounded concurrent runs. */
final class TckSupport {

    /** Longest any single wait in the TCK may take before the test fails. */
    static final Duration AWAIT = Duration.ofSeconds(20);

    private TckSupport() {}

    static EventData event(String type) {
        return EventData.json(UUID.randomUUID(), type, "{\"n\":1}", "{}");
    }

    /** A JSON event of this type carrying these tags, with a fresh id. */
    static EventData tagged(String type, String... tags) {
        return event(type).withTags(tags);
    }

    static EventData event(String type, int n) {
        return EventData.json(UUID.randomUUID(), type, "{\"n\":" + n + "}", "{\"$correlationId\":\"c-" + n + "\"}");
    }

    /** {@code count} JSON events of type {@code type}, with fresh ids. */
    static List<EventData> events(int count) {
        return events("Happened", count);
    }

    static List<EventData> events(String type, int count) {
        return IntStream.range(0, count).mapToObj(i -> event(type, i)).toList();
    }

    static List<UUID> ids(List<?> events) {
        return events.stream()
                .map(e -> switch (e) {
                    case EventData d -> d.eventId();
                    case RecordedEvent r -> r.eventId();
                    default -> throw new IllegalArgumentException(String.valueOf(e));
                })
                .toList();
    }

    static List<Long> versions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::version).toList();
    }

    static List<Long> positions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::position).toList();
    }

    static List<Long> range(long fromInclusive, long toExclusive) {
        return LongStream.range(fromInclusive, toExclusive).boxed().toList();
    }

    /** Every record of {@code $all}, forwards, in pages of the store's largest read. */
    static List<RecordedEvent> readAllForwards(EventStore store) {
        List<RecordedEvent> all = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadAllResult page =
                    store.readAll(ReadAllOptions.forwards(from, store.limits().maxReadCount()));
            all.addAll(page.events());
            if (page.endOfAll()) {
                return all;
            }
            from = page.nextPosition();
        }
    }

    /** Every visible event of a stream, forwards; empty when it is not found. */
    static List<RecordedEvent> readStreamForwards(EventStore store, String stream) {
        List<RecordedEvent> all = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(
                    stream, from, Direction.FORWARDS, store.limits().maxReadCount());
            if (!(result instanceof ReadStreamResult.Found found)) {
                return all;
            }
            all.addAll(found.events());
            if (found.endOfStream() || found.events().isEmpty()) {
                return all;
            }
            from = found.events().getLast().version() + 1;
        }
    }

    /** A task of a concurrent run; {@code worker} is its index. */
    interface Worker<T> {
        T run(int worker) throws Exception;
    }

    /**
     * Runs {@code workers} tasks on their own threads, started together, and returns their results;
     * the first failure fails the run, and so does a run longer than {@link #AWAIT}.
     */
    static <T> List<T> runConcurrently(int workers, Worker<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                int worker = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return task.run(worker);
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + AWAIT.toNanos();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                try {
                    results.add(future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                } catch (TimeoutException e) {
                    throw new TimeoutException("concurrent run did not finish within " + AWAIT);
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
