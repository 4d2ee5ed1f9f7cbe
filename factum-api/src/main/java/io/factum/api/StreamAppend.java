package io.factum.api;

import java.util.List;
import java.util.Objects;

/** One stream's part of an atomic multi-stream append, with its own expectation. */
public record StreamAppend(String stream, ExpectedVersion expected, List<EventData> events) {
    public StreamAppend {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(expected, "expected");
        events = List.copyOf(events);
    }
}
