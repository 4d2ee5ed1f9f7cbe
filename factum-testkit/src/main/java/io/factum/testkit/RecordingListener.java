package io.factum.testkit;

import io.factum.api.RecordedEvent;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A {@link SubscriptionListener} that records everything it receives, in order, and checks the
 * listener contract as it goes: callbacks never overlap, none arrives after {@code onStopped} or
 * after the test marked the subscription closed, and {@code onStopped} comes once.
 *
 * <p>Thread-safe: callbacks and the test thread meet on this object's monitor; waits are bounded.
 */
public final class RecordingListener implements SubscriptionListener {

    /** One callback, in the order received. */
    public sealed interface Mark {
        record Event(RecordedEvent event) implements Mark {}

        record Checkpoint(long position) implements Mark {}

        record CaughtUp(int eventsBefore) implements Mark {}
    }

    private final BiConsumer<Subscription, RecordedEvent> onEach;
    private final List<Mark> marks = new ArrayList<>();
    private final List<RecordedEvent> events = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private boolean inCallback;
    private boolean closedByTest;
    private int stoppedCount;
    private Optional<Throwable> stoppedWith = Optional.empty();

    public RecordingListener() {
        this((subscription, event) -> {});
    }

    /** @param onEach run for each event before it is recorded; may throw, take time or close */
    public RecordingListener(BiConsumer<Subscription, RecordedEvent> onEach) {
        this.onEach = onEach;
    }

    @Override
    public void onEvent(Subscription subscription, RecordedEvent event) {
        enter("onEvent " + event);
        try {
            onEach.accept(subscription, event);
            synchronized (this) {
                events.add(event);
                marks.add(new Mark.Event(event));
            }
        } finally {
            leave();
        }
    }

    @Override
    public void onCheckpoint(Subscription subscription, long position) {
        enter("onCheckpoint " + position);
        synchronized (this) {
            marks.add(new Mark.Checkpoint(position));
        }
        leave();
    }

    @Override
    public void onCaughtUp(Subscription subscription) {
        enter("onCaughtUp");
        synchronized (this) {
            marks.add(new Mark.CaughtUp(events.size()));
        }
        leave();
    }

    @Override
    public void onStopped(Subscription subscription, Optional<Throwable> error) {
        enter("onStopped " + error);
        synchronized (this) {
            stoppedCount++;
            stoppedWith = error;
        }
        leave();
    }

    private synchronized void enter(String callback) {
        if (inCallback) {
            violations.add(callback + " overlapped another callback");
        }
        if (stoppedCount > 0) {
            violations.add(callback + " after onStopped");
        }
        if (closedByTest && !callback.startsWith("onStopped")) {
            violations.add(callback + " after close() returned");
        }
        inCallback = true;
    }

    private synchronized void leave() {
        inCallback = false;
        notifyAll();
    }

    /** Called by a test right after {@code Subscription.close()} returned. */
    public synchronized void markClosedByTest() {
        closedByTest = true;
    }

    public synchronized List<RecordedEvent> events() {
        return List.copyOf(events);
    }

    public synchronized List<Mark> marks() {
        return List.copyOf(marks);
    }

    public synchronized List<Long> checkpoints() {
        return marks.stream()
                .filter(m -> m instanceof Mark.Checkpoint)
                .map(m -> ((Mark.Checkpoint) m).position())
                .toList();
    }

    /** How many events had been delivered when {@code onCaughtUp} first came, if it came. */
    public synchronized Optional<Integer> eventsBeforeFirstCaughtUp() {
        return marks.stream()
                .filter(m -> m instanceof Mark.CaughtUp)
                .map(m -> ((Mark.CaughtUp) m).eventsBefore())
                .findFirst();
    }

    public synchronized int stoppedCount() {
        return stoppedCount;
    }

    public synchronized Optional<Throwable> stoppedWith() {
        return stoppedWith;
    }

    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Waits until at least {@code count} events arrived; fails after {@code timeout}. */
    public List<RecordedEvent> awaitEvents(int count, Duration timeout) throws TimeoutException {
        awaitState("at least " + count + " events", l -> l.events.size() >= count, timeout);
        return events();
    }

    public void awaitCaughtUp(Duration timeout) throws TimeoutException {
        awaitState("onCaughtUp", l -> l.marks.stream().anyMatch(m -> m instanceof Mark.CaughtUp), timeout);
    }

    public Optional<Throwable> awaitStopped(Duration timeout) throws TimeoutException {
        awaitState("onStopped", l -> l.stoppedCount > 0, timeout);
        return stoppedWith();
    }

    /** Waits until a mark satisfies {@code test}. */
    public void awaitMark(String what, Predicate<Mark> test, Duration timeout) throws TimeoutException {
        awaitState(what, l -> l.marks.stream().anyMatch(test), timeout);
    }

    private synchronized void awaitState(String what, Predicate<RecordingListener> done, Duration timeout)
            throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no " + what + " within " + timeout + "; received " + events.size()
                        + " events, last marks " + marks.subList(Math.max(0, marks.size() - 5), marks.size())
                        + ", stopped " + stoppedCount + " " + stoppedWith);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TimeoutException("interrupted while waiting for " + what);
            }
        }
    }
}
