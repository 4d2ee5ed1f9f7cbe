package io.factum.api;

import java.util.List;

/** The answer to a stream read: the events, or the fact that the stream does not exist. */
public sealed interface ReadStreamResult permits ReadStreamResult.Found, ReadStreamResult.NotFound {

    /** The events of the slice, in the order requested; empty when none are visible. */
    List<RecordedEvent> events();

    /**
     * A stream that exists (has at least one event, and is not soft-deleted).
     *
     * @param events the visible events of the requested slice, at most {@code maxCount}
     * @param lastStreamVersion the version of the stream's last event, visible or not
     * @param endOfStream true when no further event exists in the read's direction
     */
    record Found(List<RecordedEvent> events, long lastStreamVersion, boolean endOfStream) implements ReadStreamResult {
        public Found {
            events = List.copyOf(events);
        }
    }

    /** The stream has never been written, or was soft-deleted. */
    record NotFound(String stream) implements ReadStreamResult {
        @Override
        public List<RecordedEvent> events() {
            return List.of();
        }
    }
}
