package io.factum.framework.process;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Where an event a process reacts to comes from, and the time it is handled at.
 *
 * @param correlationId the event's {@code $correlationId} ("" when it has none)
 * @param now the handler's clock when the event is handled: base deadlines on it
 */
public record EventInfo(String stream, long version, UUID eventId, String correlationId, Instant now) {
    public EventInfo {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(now, "now");
    }
}
