package io.factum.server.persistent;

/** What a consumer wants done with events it rejects. */
public enum NackAction {
    /** Not said: the group's default, which is {@link #RETRY} (as in KurrentDB). */
    UNKNOWN,
    /** Move to the parked stream, for a later replay. */
    PARK,
    /** Deliver again, with a higher retry count (parked once past the group's maximum). */
    RETRY,
    /** Treat as processed. */
    SKIP,
    /** Give the events back for redelivery and end this consumer's subscription. */
    STOP
}
