package io.factum.framework.projection;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event of a parked stream: the one that failed (with its error), or one after it, held back
 * so that the stream's events are still applied in order once it is released.
 *
 * @param error why the event failed; null for an event held behind a failed one
 */
public record DeadLetter(
        int partition,
        String stream,
        long position,
        @Nullable String error) {
    public DeadLetter {
        Objects.requireNonNull(stream, "stream");
    }

    public boolean failed() {
        return error != null;
    }
}
