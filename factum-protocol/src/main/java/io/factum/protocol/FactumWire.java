package io.factum.protocol;

/**
 * The few things Factum's server and Factum's remote client say to each other beyond the KurrentDB
 * protocol, in one place so that both sides use the same names. The official clients ignore all of
 * them. See {@code docs/client.md} for why each exists.
 */
public final class FactumWire {

    /**
     * Trailer on errors: {@code invalid-input}, {@code append-condition-failed}, {@code store-closed}
     * or {@code store-failed}.
     */
    public static final String ERROR = "factum-error";

    /** Binary trailer on invalid input: the field the store named, UTF-8. */
    public static final String FIELD = "factum-field-bin";

    /** Binary trailer on invalid input: the rule the value broke, UTF-8. */
    public static final String RULE = "factum-rule-bin";

    /** Binary trailer on stream errors: the stream the store named, UTF-8. */
    public static final String STREAM = "factum-stream-bin";

    /** Trailer on a successful append: {@code true}/{@code false}, comma-separated per stream. */
    public static final String WRITTEN = "factum-written";

    /** Trailer on a successful read of {@code $all}: where the next page starts. */
    public static final String NEXT_POSITION = "factum-next-position";

    /** Trailer on a successful read of {@code $all}: whether it reached the end of the log. */
    public static final String END_OF_ALL = "factum-end-of-all";

    /**
     * Property of a v2 {@code AppendRecord}: the event's metadata bytes, base64. The v2 protocol
     * carries metadata as a map of values, which cannot hold arbitrary bytes exactly; with this
     * property the record's metadata is exactly these bytes. It must be the record's only property.
     */
    public static final String METADATA_PROPERTY = "$factum-metadata";

    /** Trailer on a failed conditional append: the position of the first conflicting event. */
    public static final String CONFLICTING_POSITION = "factum-conflicting-position";

    /**
     * Key in the system metadata map of a KurrentDB v1 event (read responses and proposed events):
     * the event's tags as a JSON array of strings. Present only when the event has tags; the
     * official clients ignore keys they do not know, so tagged events read normally there.
     */
    public static final String TAGS_PROPERTY = "factum-tags";

    public static final String INVALID_INPUT = "invalid-input";
    public static final String APPEND_CONDITION_FAILED = "append-condition-failed";
    public static final String STORE_CLOSED = "store-closed";
    public static final String STORE_FAILED = "store-failed";

    private FactumWire() {}
}
