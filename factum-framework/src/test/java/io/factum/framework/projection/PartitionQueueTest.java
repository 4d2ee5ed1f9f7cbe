package io.factum.framework.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.ContentType;
import io.factum.api.RecordedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PartitionQueue}: a run weighs its events and any other item one; what does not fit waits
 * (or times out) unless the queue is empty; a drain takes whole items until it holds enough events.
 */
class PartitionQueueTest {
    /** Long enough never to pass in a test that expects something else to end the wait first. */
    private static final long LONG_MS = 10_000;

    private final List<Thread> threads = new ArrayList<>();
    private long nextPosition;

    @Test
    void aRunWeighsItsEventsAndAnyOtherItemOne() {
        PartitionQueue queue = new PartitionQueue(5);

        assertThat(queue.offer(run(3))).isTrue();
        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.offer("watermark")).isTrue();
        assertThat(queue.size()).isEqualTo(4);
        assertThat(queue.offer(run(2))).as("a run of 2 into 1 free").isFalse();
        assertThat(queue.size()).isEqualTo(4);
        assertThat(queue.offer("release")).as("one item into 1 free").isTrue();
        assertThat(queue.size()).isEqualTo(5);
        assertThat(queue.offer("another")).as("a full queue").isFalse();
        assertThat(queue.size()).isEqualTo(5);
        assertThat(queue.isEmpty()).isFalse();
    }

    @Test
    void anOfferThatDoesNotFitTimesOutWithoutAdding() throws InterruptedException {
        PartitionQueue queue = new PartitionQueue(4);
        PartitionQueue.Run first = run(3);
        assertThat(queue.offer(first)).isTrue();

        assertThat(queue.offer(run(2), 50, TimeUnit.MILLISECONDS)).isFalse();

        assertThat(queue.size()).isEqualTo(3);
        List<Object> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 100, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(out).containsExactly(first);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aRunLargerThanTheCapacityFitsAnEmptyQueueOnly() throws InterruptedException {
        PartitionQueue queue = new PartitionQueue(3);
        PartitionQueue.Run large = run(10);

        assertThat(queue.offer(large, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(queue.size()).isEqualTo(10);
        assertThat(queue.offer("watermark"))
                .as("nothing fits over the capacity")
                .isFalse();
        assertThat(queue.offer(run(10))).isFalse();
        assertThat(queue.size()).isEqualTo(10);

        List<Object> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 1, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(out).containsExactly(large);
        assertThat(queue.offer(run(10))).as("the queue is empty again").isTrue();
    }

    @Test
    void aDrainTakesWholeItemsInOrderUntilItHoldsAtLeastMaxEvents() throws InterruptedException {
        PartitionQueue queue = new PartitionQueue(100);
        PartitionQueue.Run three = run(3);
        PartitionQueue.Run four = run(4);
        PartitionQueue.Run two = run(2);
        List<Object> items = List.of(three, "mark-1", four, two, "mark-2");
        for (Object item : items) {
            assertThat(queue.offer(item)).isTrue();
        }
        assertThat(queue.size()).isEqualTo(11);

        List<Object> first = new ArrayList<>();
        assertThat(queue.drainTo(first, 5, 0, TimeUnit.MILLISECONDS)).isTrue();
        // 3, then 4 with the mark, then 8: at least 5, the run of 4 taken whole.
        assertThat(first).containsExactly(three, "mark-1", four);
        assertThat(queue.size()).isEqualTo(3);

        List<Object> rest = new ArrayList<>();
        assertThat(queue.drainTo(rest, 100, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(rest).containsExactly(two, "mark-2");
        assertThat(queue.size()).isZero();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aDrainAddsToWhatItsListAlreadyHolds() throws InterruptedException {
        PartitionQueue queue = new PartitionQueue(10);
        PartitionQueue.Run run = run(2);
        queue.offer(run);
        List<Object> out = new ArrayList<>(List.of("before"));

        assertThat(queue.drainTo(out, 1, 0, TimeUnit.MILLISECONDS)).isTrue();

        assertThat(out).containsExactly("before", run);
    }

    @Test
    void aDrainOfAnEmptyQueueReturnsFalseAfterItsTimeout() throws InterruptedException {
        PartitionQueue queue = new PartitionQueue(10);
        List<Object> out = new ArrayList<>();

        assertThat(queue.drainTo(out, 10, 20, TimeUnit.MILLISECONDS)).isFalse();

        assertThat(out).isEmpty();
        assertThat(queue.size()).isZero();
    }

    @Test
    void aDrainWaitingOnAnEmptyQueueTakesWhatIsOffered() throws Exception {
        PartitionQueue queue = new PartitionQueue(10);
        List<Object> out = new ArrayList<>();
        FutureTask<Boolean> drain = start(() -> queue.drainTo(out, 10, LONG_MS, TimeUnit.MILLISECONDS));
        awaitTimedWait(drain);

        PartitionQueue.Run run = run(2);
        assertThat(queue.offer(run)).isTrue();

        assertThat(drain.get(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(out).containsExactly(run);
    }

    @Test
    void wakeEndsAWaitingDrainEarlyWithNothing() throws Exception {
        PartitionQueue queue = new PartitionQueue(10);
        List<Object> out = new ArrayList<>();
        long started = System.nanoTime();
        FutureTask<Boolean> drain = start(() -> queue.drainTo(out, 10, LONG_MS, TimeUnit.MILLISECONDS));
        awaitTimedWait(drain);

        queue.wake();

        assertThat(drain.get(LONG_MS * 2, TimeUnit.MILLISECONDS)).isFalse();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        assertThat(elapsed).as("the drain ended well before its timeout").isLessThan(Duration.ofSeconds(5));
        assertThat(out).isEmpty();
    }

    @Test
    void aBlockedOfferGoesThroughOnceADrainMakesRoom() throws Exception {
        PartitionQueue queue = new PartitionQueue(3);
        PartitionQueue.Run first = run(3);
        assertThat(queue.offer(first)).isTrue();
        PartitionQueue.Run second = run(2);
        FutureTask<Boolean> offer = start(() -> queue.offer(second, LONG_MS, TimeUnit.MILLISECONDS));
        awaitTimedWait(offer);
        assertThat(offer.isDone()).as("the offer waits while the queue is full").isFalse();
        assertThat(queue.size()).isEqualTo(3);

        List<Object> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 1, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(out).containsExactly(first);

        assertThat(offer.get(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(queue.size()).isEqualTo(2);
        List<Object> next = new ArrayList<>();
        assertThat(queue.drainTo(next, 10, 0, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(next).containsExactly(second);
    }

    @Test
    void putWaitsForRoomAsLongAsItTakes() throws Exception {
        PartitionQueue queue = new PartitionQueue(1);
        assertThat(queue.offer("first")).isTrue();
        FutureTask<Boolean> put = start(() -> {
            queue.put("second");
            return true;
        });
        awaitTimedWait(put); // put waits with the longest timeout there is
        assertThat(put.isDone()).isFalse();

        List<Object> out = new ArrayList<>();
        assertThat(queue.drainTo(out, 1, 0, TimeUnit.MILLISECONDS)).isTrue();

        assertThat(put.get(LONG_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(out).containsExactly("first");
        assertThat(queue.size()).isEqualTo(1);
    }

    /** A run of {@code n} events at the next positions. */
    private PartitionQueue.Run run(int n) {
        List<RecordedEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long position = nextPosition++;
            events.add(new RecordedEvent(
                    "stream-" + (position % 3),
                    position / 3,
                    position,
                    new UUID(0, position),
                    "Happened",
                    ("{\"n\":" + position + "}").getBytes(StandardCharsets.UTF_8),
                    new byte[0],
                    ContentType.JSON,
                    Instant.ofEpochSecond(1_700_000_000L + position)));
        }
        return new PartitionQueue.Run(List.copyOf(events));
    }

    private <T> FutureTask<T> start(Callable<T> call) {
        FutureTask<T> task = new FutureTask<>(call);
        Thread thread =
                Thread.ofPlatform().daemon().name("partition-queue-test").start(task);
        threads.add(thread);
        return task;
    }

    /**
     * Waits until the task's thread waits with a timeout: inside the queue's condition wait, the
     * only timed wait on its path (taking the uncontended lock never parks with one).
     */
    private void awaitTimedWait(FutureTask<?> task) throws InterruptedException {
        Thread thread = threads.getLast();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LONG_MS);
        while (thread.getState() != Thread.State.TIMED_WAITING) {
            assertThat(task.isDone()).as("the task ended before it waited").isFalse();
            assertThat(deadline - System.nanoTime())
                    .as("time left to start waiting")
                    .isPositive();
            Thread.sleep(1);
        }
    }
}
