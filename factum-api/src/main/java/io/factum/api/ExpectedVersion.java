package io.factum.api;

/**
 * What the writer believes about a stream's current version when it appends. Versions are dense
 * and start at 0, so a stream with one event has version 0 and "no stream" is version -1.
 */
public sealed interface ExpectedVersion
        permits ExpectedVersion.Any, ExpectedVersion.NoStream, ExpectedVersion.StreamExists, ExpectedVersion.Exact {

    /** The version a stream has before its first event, as reported in conflicts. */
    long NO_STREAM_VERSION = -1L;

    /** No check: append at the end, whatever the stream's state. */
    record Any() implements ExpectedVersion {}

    /** The stream must have no events (or must have been soft-deleted, KurrentDB semantics). */
    record NoStream() implements ExpectedVersion {}

    /** The stream must have at least one event. */
    record StreamExists() implements ExpectedVersion {}

    /** The stream's last event must have exactly this version. */
    record Exact(long version) implements ExpectedVersion {
        public Exact {
            if (version < 0) {
                throw new InvalidInputException("expectedVersion", version, "must be >= 0");
            }
        }
    }

    static ExpectedVersion any() {
        return new Any();
    }

    static ExpectedVersion noStream() {
        return new NoStream();
    }

    static ExpectedVersion streamExists() {
        return new StreamExists();
    }

    static ExpectedVersion exactly(long version) {
        return new Exact(version);
    }
}
