package io.factum.api;

/** Reserved names shared by every backend and by the KurrentDB protocol. */
public final class SystemNames {
    /**
     * Prefix of stream names reserved for the system. The store itself accepts writes to them (the
     * server writes metastreams and persistent-subscription state there); who may write them is
     * decided by the server's access control, as in KurrentDB (administrators only by default).
     */
    public static final String SYSTEM_PREFIX = "$";

    /** Prefix of the stream that holds another stream's metadata: {@code $$orders-1}. */
    public static final String METASTREAM_PREFIX = "$$";

    /** Event type of a stream metadata event in a metastream. */
    public static final String METADATA_TYPE = "$metadata";

    /** Event type of a tombstone record. */
    public static final String STREAM_DELETED_TYPE = "$streamDeleted";

    /** The name clients use for the global log. */
    public static final String ALL = "$all";

    private SystemNames() {}

    public static boolean isSystemStream(String stream) {
        return stream.startsWith(SYSTEM_PREFIX);
    }

    public static boolean isMetastream(String stream) {
        return stream.startsWith(METASTREAM_PREFIX);
    }

    public static String metastreamOf(String stream) {
        return METASTREAM_PREFIX + stream;
    }

    /** The stream a metastream describes: {@code $$orders-1} describes {@code orders-1}. */
    public static String originalStreamOf(String metastream) {
        if (!isMetastream(metastream)) {
            throw new IllegalArgumentException(metastream + " is not a metastream");
        }
        return metastream.substring(METASTREAM_PREFIX.length());
    }
}
