package io.factum.framework.projection;

import io.factum.api.RecordedEvent;
import java.util.Objects;

/**
 * A domain event as a projection receives it, with the stored event it came from (several
 * envelopes share one stored event when an upcaster split it).
 */
public record EventEnvelope<E>(E event, RecordedEvent recorded) {
    public EventEnvelope {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(recorded, "recorded");
    }

    public String stream() {
        return recorded.stream();
    }

    public long version() {
        return recorded.version();
    }

    /** The event's position in {@code $all}: what checkpoints and {@code awaitPosition} count in. */
    public long position() {
        return recorded.position();
    }
}
