package io.factum.server.crash;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One append the workload sent: a batch of events to one stream with an expectation, and what the
 * client was told about it.
 *
 * @param batchId unique over the whole campaign ({@code r<round>-w<writer>-<sequence>})
 * @param stream the stream appended to
 * @param expected the expected revision in the client's raw form: {@code >= 0} exact, {@code -1}
 *     no stream, {@code -2} any, {@code -4} stream exists
 * @param ids the events' ids, in order
 * @param outcome what the client was told
 */
record Attempt(String batchId, String stream, long expected, List<UUID> ids, Outcome outcome) {

    static final long NO_STREAM = -1;
    static final long ANY = -2;
    static final long STREAM_EXISTS = -4;

    Attempt {
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(stream, "stream");
        ids = List.copyOf(ids);
        Objects.requireNonNull(outcome, "outcome");
    }

    /** What the client was told about an append. */
    sealed interface Outcome {}

    /**
     * Acknowledged: the stream's revision after the append (the last event's) and the commit
     * position the server returned (the last event's).
     */
    record Acked(long revision, long position) implements Outcome {}

    /** Refused with a wrong-expected-version error carrying the stream's actual revision. */
    record Rejected(long actualRevision) implements Outcome {}

    /**
     * Failed with any other error: in flight when the server died, so it may or may not be stored.
     *
     * @param error the client's exception, as text
     * @param observedNanos {@code System.nanoTime()} when the client reported it
     */
    record InFlight(String error, long observedNanos) implements Outcome {}

    boolean acked() {
        return outcome instanceof Acked;
    }

    /** "batch r3-w5-17 (3 events to r3-w5-1, expected 11)" for diagnoses. */
    String describe() {
        return "batch " + batchId + " (" + ids.size() + (ids.size() == 1 ? " event" : " events") + " to " + stream
                + ", expected " + expectedText(expected) + ")";
    }

    static String expectedText(long expected) {
        return switch ((int) Math.max(expected, -5)) {
            case -1 -> "no stream";
            case -2 -> "any";
            case -4 -> "stream exists";
            default -> expected >= 0 ? "revision " + expected : "raw " + expected;
        };
    }
}
