package io.factum.api;

import java.util.List;
import java.util.Optional;

/**
 * Receives a subscription's events. Calls for one subscription come from one thread, one at a time,
 * in position order; a listener that takes long slows only its own subscription, which then reads
 * from storage instead of making the store buffer (backpressure by pull).
 *
 * <p>A listener that throws stops its subscription; {@link #onStopped} then receives the error.
 */
public interface SubscriptionListener {

    /**
     * The next event: positions ($all) strictly increase with no gap; versions (stream) strictly
     * increase with no gap except for events the stream's metadata hides at delivery time.
     */
    void onEvent(Subscription subscription, RecordedEvent event);

    /**
     * A run of events the store read together, in order: exactly what {@link #onEvent} would
     * receive one by one, which is what this default does. A store may deliver through either
     * method; a listener that hands events on (to queues, to a socket) can override this to pay
     * its hand-off once per run instead of once per event. Checkpoints and the caught-up signal
     * never fall inside a run. The list does not change after the call: the listener may keep it.
     *
     * <p>A listener that overrides this gets the whole run even if the subscription is closed
     * while it runs (by the listener itself or by another thread, whose {@code close()} then
     * waits for the call to return): it stops early on its own if it must. A listener that does
     * not override it gets no event after a close.
     */
    default void onEvents(Subscription subscription, List<RecordedEvent> events) {
        for (RecordedEvent event : events) {
            onEvent(subscription, event);
        }
    }

    /**
     * A filtered {@code $all} subscription examined every position below {@code position} and
     * delivered every match among them; a subscriber may persist it and resume with {@code
     * SubscribeFrom.after(position - 1)}.
     */
    default void onCheckpoint(Subscription subscription, long position) {}

    /**
     * The subscription delivered everything committed when it started and now waits for more.
     * Called once per subscription.
     */
    default void onCaughtUp(Subscription subscription) {}

    /**
     * The subscription ended: closed by the subscriber ({@code error} empty), or failed: the
     * listener threw (that exception), the stream was tombstoned ({@link StreamDeletedException}),
     * or the store closed ({@link StoreClosedException}). {@link Subscription#close()} returns only
     * after this callback has run (unless called from inside a callback).
     */
    default void onStopped(Subscription subscription, Optional<Throwable> error) {}
}
