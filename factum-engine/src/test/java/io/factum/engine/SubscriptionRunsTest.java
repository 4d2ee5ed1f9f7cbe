package io.factum.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.testkit.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code $all} subscriptions of the embedded engine hand events over in runs through {@link
 * SubscriptionListener#onEvents}: every event once, in position order, checkpoints only between
 * runs, and a run's list never changes after the call, so a listener may keep it.
 */
class SubscriptionRunsTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);

    /** Streams per round; the first half are {@code order-}, the rest {@code cart-}. */
    private static final int STREAMS = 10;

    private static final int PER_APPEND = 5;

    @TempDir
    Path dir;

    private EngineOptions options() {
        return EngineOptions.defaults(dir).withSegmentSizeBytes(1 << 16).withIndexMemtableEntries(100);
    }

    @Test
    void anUnfilteredSubscriptionDeliversEveryEventOnceInRunsThatDoNotChangeAfterwards() throws Exception {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            appendRounds(store, 0, 20); // 1,000 events before the subscription starts
            RunLog log = new RunLog();
            Subscription subscription = store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), log);
            log.await("onCaughtUp", l -> l.caughtUp);
            appendRounds(store, 20, 4); // 200 more, delivered live
            List<RecordedEvent> all = readAll(store);
            assertThat(all).hasSize(1_200);
            log.await(all.size() + " events", l -> l.eventCount() >= all.size());
            subscription.close();
            log.await("onStopped", l -> l.stopped.isPresent());

            assertThat(log.delivered()).isEqualTo(all);
            assertThat(positions(log.delivered()))
                    .isEqualTo(LongStream.range(0, 1_200).boxed().toList());
            assertThat(log.runs()).anySatisfy(run -> assertThat(run.kept()).hasSizeGreaterThan(1));
            assertThat(log.checkpoints()).as("no checkpoints without a filter").isEmpty();
            assertRunsUnchanged(log);
            assertThat(log.stopped()).hasValue(Optional.empty());
            assertThat(log.problems()).isEmpty();
        }
    }

    @Test
    void aFilteredSubscriptionReportsCheckpointsOnlyBetweenRuns() throws Exception {
        EventFilter filter = EventFilter.streamNamePrefix("order-");
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            appendRounds(store, 0, 20);
            RunLog log = new RunLog();
            Subscription subscription = store.subscribeToAll(
                    SubscribeAllOptions.from(SubscribeFrom.start())
                            .withFilter(filter)
                            .withCheckpointInterval(10),
                    log);
            log.await("onCaughtUp", l -> l.caughtUp);
            appendRounds(store, 20, 4);
            List<RecordedEvent> matching =
                    readAll(store).stream().filter(filter::matches).toList();
            assertThat(matching).hasSize(600);
            log.await(matching.size() + " events", l -> l.eventCount() >= matching.size());
            subscription.close();
            log.await("onStopped", l -> l.stopped.isPresent());

            assertThat(log.delivered()).isEqualTo(matching);
            assertThat(log.runs()).anySatisfy(run -> assertThat(run.kept()).hasSizeGreaterThan(1));
            assertThat(log.checkpoints()).as("checkpoints").isNotEmpty();
            assertCheckpointsFallBetweenRuns(log.entries(), matching);
            assertRunsUnchanged(log);
            assertThat(log.problems()).isEmpty();
        }
    }

    @Test
    void aListenerWithOnlyOnEventReceivesEveryEventOneByOneInOrder() throws Exception {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            appendRounds(store, 0, 20);
            RecordingListener listener = new RecordingListener();
            Subscription subscription = store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), listener);
            listener.awaitCaughtUp(AWAIT);
            appendRounds(store, 20, 4);
            List<RecordedEvent> all = readAll(store);
            List<RecordedEvent> received = listener.awaitEvents(all.size(), AWAIT);
            subscription.close();
            listener.markClosedByTest();

            assertThat(received).isEqualTo(all);
            assertThat(listener.eventsBeforeFirstCaughtUp()).hasValue(1_000);
            assertThat(listener.violations()).isEmpty();
        }
    }

    @Test
    void aFilteredListenerWithOnlyOnEventReceivesTheMatchesInOrderAroundCheckpoints() throws Exception {
        EventFilter filter = EventFilter.streamNamePrefix("cart-");
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            appendRounds(store, 0, 20);
            RecordingListener listener = new RecordingListener();
            Subscription subscription = store.subscribeToAll(
                    SubscribeAllOptions.from(SubscribeFrom.start())
                            .withFilter(filter)
                            .withCheckpointInterval(10),
                    listener);
            listener.awaitCaughtUp(AWAIT);
            subscription.close();
            listener.markClosedByTest();

            List<RecordedEvent> matching =
                    readAll(store).stream().filter(filter::matches).toList();
            assertThat(listener.events()).isEqualTo(matching);
            assertThat(listener.checkpoints()).isNotEmpty();
            List<Entry> entries = new ArrayList<>();
            for (RecordingListener.Mark mark : listener.marks()) {
                switch (mark) {
                    case RecordingListener.Mark.Event e ->
                        entries.add(new Entry.Run(List.of(e.event()), List.of(e.event())));
                    case RecordingListener.Mark.Checkpoint c -> entries.add(new Entry.Checkpoint(c.position()));
                    case RecordingListener.Mark.CaughtUp u -> {}
                }
            }
            assertCheckpointsFallBetweenRuns(entries, matching);
            assertThat(listener.violations()).isEmpty();
        }
    }

    @Test
    void aListenerWithOnlyOnEventThatClosesItsSubscriptionGetsNoFurtherEvent() throws Exception {
        try (EmbeddedEventStore store = EmbeddedEventStore.open(options())) {
            appendRounds(store, 0, 1); // 50 events, read in one run
            List<Long> received = new CopyOnWriteArrayList<>();
            CountDownLatch stopped = new CountDownLatch(1);
            store.subscribeToAll(SubscribeAllOptions.from(SubscribeFrom.start()), new SubscriptionListener() {
                @Override
                public void onEvent(Subscription subscription, RecordedEvent event) {
                    received.add(event.position());
                    if (event.position() == 1) {
                        subscription.close();
                    }
                }

                @Override
                public void onStopped(Subscription subscription, Optional<Throwable> error) {
                    stopped.countDown();
                }
            });
            assertThat(stopped.await(AWAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(received).containsExactly(0L, 1L);
        }
    }

    /**
     * Appends {@code rounds} rounds; each appends {@link #PER_APPEND} events to every stream in
     * turn, so five order streams are followed by 25 cart events and the other way round.
     */
    private static void appendRounds(EmbeddedEventStore store, int firstRound, int rounds) {
        for (int r = firstRound; r < firstRound + rounds; r++) {
            for (int s = 0; s < STREAMS; s++) {
                String stream = (s < STREAMS / 2 ? "order-" : "cart-") + s;
                List<EventData> batch = new ArrayList<>();
                for (int i = 0; i < PER_APPEND; i++) {
                    batch.add(EventData.json(i % 2 == 0 ? "Placed" : "Paid", "{\"round\":" + r + ",\"i\":" + i + "}"));
                }
                store.append(stream, ExpectedVersion.any(), batch);
            }
        }
    }

    private static List<RecordedEvent> readAll(EmbeddedEventStore store) {
        return store.readAll(ReadAllOptions.forwards(0, 10_000)).events();
    }

    private static List<Long> positions(List<RecordedEvent> events) {
        return events.stream().map(RecordedEvent::position).toList();
    }

    /** The lists the listener kept still hold what they held when it received them. */
    private static void assertRunsUnchanged(RunLog log) {
        List<Entry.Run> runs = log.runs();
        for (int i = 0; i < runs.size(); i++) {
            assertThat(runs.get(i).kept()).as("run %d", i).isEqualTo(runs.get(i).atCall());
        }
    }

    /**
     * Every checkpoint lies above every event delivered before it and at or below every event
     * delivered after it, and all matches below it were delivered before it.
     */
    private static void assertCheckpointsFallBetweenRuns(List<Entry> entries, List<RecordedEvent> matching) {
        long highestDelivered = -1;
        long lastCheckpoint = -1;
        int deliveredSoFar = 0;
        boolean runAfterCheckpoint = false;
        for (Entry entry : entries) {
            switch (entry) {
                case Entry.Checkpoint c -> {
                    assertThat(c.position())
                            .as("checkpoint after events up to %d", highestDelivered)
                            .isGreaterThan(highestDelivered);
                    long below = c.position();
                    assertThat(deliveredSoFar)
                            .as("matches below checkpoint %d delivered before it", below)
                            .isEqualTo((int) matching.stream()
                                    .filter(e -> e.position() < below)
                                    .count());
                    lastCheckpoint = Math.max(lastCheckpoint, c.position());
                }
                case Entry.Run run -> {
                    for (RecordedEvent e : run.atCall()) {
                        assertThat(e.position())
                                .as("event delivered after checkpoint %d", lastCheckpoint)
                                .isGreaterThanOrEqualTo(lastCheckpoint);
                        highestDelivered = Math.max(highestDelivered, e.position());
                        deliveredSoFar++;
                    }
                    runAfterCheckpoint |= lastCheckpoint >= 0;
                }
            }
        }
        assertThat(runAfterCheckpoint)
                .as("some events come after a checkpoint, so checkpoints were interleaved")
                .isTrue();
    }

    /** One callback in the order received. */
    private sealed interface Entry {
        /** @param kept the list the listener received; @param atCall a copy made during the call */
        record Run(List<RecordedEvent> kept, List<RecordedEvent> atCall) implements Entry {}

        record Checkpoint(long position) implements Entry {}
    }

    /**
     * Overrides {@link #onEvents} and keeps each list it receives, as a listener that hands runs on
     * would. Thread-safe: callbacks and the test meet on this object's monitor.
     */
    private static final class RunLog implements SubscriptionListener {
        private final List<Entry> entries = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private boolean inCallback;
        private int eventCount;
        private boolean caughtUp;
        private Optional<Optional<Throwable>> stopped = Optional.empty();

        @Override
        public void onEvents(Subscription subscription, List<RecordedEvent> events) {
            enter();
            synchronized (this) {
                if (events.isEmpty()) {
                    problems.add("an empty run");
                }
                entries.add(new Entry.Run(events, List.copyOf(events)));
                eventCount += events.size();
            }
            leave();
        }

        /** A store may deliver one by one; this records it as a run of one. */
        @Override
        public void onEvent(Subscription subscription, RecordedEvent event) {
            onEvents(subscription, List.of(event));
        }

        @Override
        public void onCheckpoint(Subscription subscription, long position) {
            enter();
            synchronized (this) {
                entries.add(new Entry.Checkpoint(position));
            }
            leave();
        }

        @Override
        public void onCaughtUp(Subscription subscription) {
            enter();
            synchronized (this) {
                caughtUp = true;
            }
            leave();
        }

        @Override
        public void onStopped(Subscription subscription, Optional<Throwable> error) {
            enter();
            synchronized (this) {
                stopped = Optional.of(error);
            }
            leave();
        }

        private synchronized void enter() {
            if (inCallback) {
                problems.add("callbacks overlapped");
            }
            if (stopped.isPresent()) {
                problems.add("a callback after onStopped");
            }
            inCallback = true;
        }

        private synchronized void leave() {
            inCallback = false;
            notifyAll();
        }

        synchronized int eventCount() {
            return eventCount;
        }

        synchronized List<Entry> entries() {
            return List.copyOf(entries);
        }

        synchronized List<Entry.Run> runs() {
            return entries.stream()
                    .filter(e -> e instanceof Entry.Run)
                    .map(e -> (Entry.Run) e)
                    .toList();
        }

        synchronized List<Long> checkpoints() {
            return entries.stream()
                    .filter(e -> e instanceof Entry.Checkpoint)
                    .map(e -> ((Entry.Checkpoint) e).position())
                    .toList();
        }

        /** Every event of every run as it was during the call, in the order the runs came. */
        synchronized List<RecordedEvent> delivered() {
            return runs().stream().flatMap(run -> run.atCall().stream()).toList();
        }

        synchronized Optional<Optional<Throwable>> stopped() {
            return stopped;
        }

        synchronized List<String> problems() {
            return List.copyOf(problems);
        }

        synchronized void await(String what, Predicate<RunLog> done) throws TimeoutException, InterruptedException {
            long deadline = System.nanoTime() + AWAIT.toNanos();
            while (!done.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no " + what + " within " + AWAIT + "; " + eventCount
                            + " events received, stopped " + stopped);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
