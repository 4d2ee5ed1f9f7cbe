package io.factum.framework.tools;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.framework.Decider;
import io.factum.framework.EventCodec;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * An entity's history, event by event, with the state after each: what {@code factum replay}
 * prints, to see how an entity came to be as it is.
 */
public final class Replay {
    private Replay() {}

    /** One event of the stream and the state once it was folded in. */
    public record Step<S>(RecordedEvent event, List<?> decoded, S state) {}

    /** Where to stop: after a version, or at the last event stored no later than a time. */
    public record Until(long version, @Nullable Instant time) {
        public static Until end() {
            return new Until(Long.MAX_VALUE, null);
        }

        boolean stopsBefore(RecordedEvent event) {
            return event.version() > version || (time != null && event.created().isAfter(time));
        }
    }

    /**
     * Folds the stream's events, from the first, telling {@code each} the state after every one.
     *
     * @return how many events were replayed (0 when the stream does not exist)
     * @throws IllegalArgumentException when an event does not decode (named by stream and version)
     */
    public static <S, E> long replay(
            EventStore store,
            String stream,
            Decider<?, S, E> decider,
            EventCodec<E> codec,
            Until until,
            Consumer<Step<S>> each) {
        Objects.requireNonNull(until, "until");
        S state = decider.initialState();
        long replayed = 0;
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(
                    stream, from, Direction.FORWARDS, store.limits().maxReadCount());
            if (!(result instanceof ReadStreamResult.Found found)
                    || found.events().isEmpty()) {
                return replayed;
            }
            for (RecordedEvent event : found.events()) {
                if (until.stopsBefore(event)) {
                    return replayed;
                }
                List<E> decoded = decode(codec, event);
                for (E e : decoded) {
                    state = decider.evolve(state, e);
                }
                each.accept(new Step<>(event, decoded, state));
                replayed++;
            }
            if (found.endOfStream()) {
                return replayed;
            }
            from = found.events().getLast().version() + 1;
        }
    }

    private static <E> List<E> decode(EventCodec<E> codec, RecordedEvent event) {
        try {
            return codec.decode(event);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "event " + event.version() + " of " + event.stream() + " (type " + event.type()
                            + ") does not decode: " + e.getMessage(),
                    e);
        }
    }
}
