package io.factum.framework.projection;

import io.factum.api.RecordedEvent;
import java.util.List;
import java.util.Objects;

/**
 * One thing a projection commit does for one stored event: apply it to the read model, park it
 * in the dead-letter queue (it failed), hold it there (its stream is parked), or release it from
 * there (applying it, or skipping it).
 */
public sealed interface Step<E> {
    RecordedEvent recorded();

    /** Apply the event's domain events (several after a split) to the read model. */
    record Handle<E>(RecordedEvent recorded, List<E> events) implements Step<E> {
        public Handle {
            Objects.requireNonNull(recorded, "recorded");
            events = List.copyOf(events);
        }
    }

    /** The event failed: park its stream, with the event first and the error. */
    record Park<E>(RecordedEvent recorded, String error) implements Step<E> {
        public Park {
            Objects.requireNonNull(recorded, "recorded");
            Objects.requireNonNull(error, "error");
        }
    }

    /** The event's stream is parked: keep the event behind the failed one. */
    record Hold<E>(RecordedEvent recorded) implements Step<E> {
        public Hold {
            Objects.requireNonNull(recorded, "recorded");
        }
    }

    /**
     * Take the event out of the dead-letter queue, applying its domain events first (an empty
     * list skips it).
     */
    record Release<E>(RecordedEvent recorded, List<E> events) implements Step<E> {
        public Release {
            Objects.requireNonNull(recorded, "recorded");
            events = List.copyOf(events);
        }
    }
}
