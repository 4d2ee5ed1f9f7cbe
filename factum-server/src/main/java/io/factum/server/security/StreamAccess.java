package io.factum.server.security;

/** What a caller wants to do with a stream; each maps to one entry of a stream's ACL. */
public enum StreamAccess {
    /** Read events, subscribe ({@code $r}). */
    READ("$r"),
    /** Append events ({@code $w}). */
    WRITE("$w"),
    /** Delete or tombstone ({@code $d}). */
    DELETE("$d"),
    /** Read the stream's metadata ({@code $mr}). */
    METADATA_READ("$mr"),
    /** Write the stream's metadata ({@code $mw}). */
    METADATA_WRITE("$mw");

    private final String aclKey;

    StreamAccess(String aclKey) {
        this.aclKey = aclKey;
    }

    /** The key of this access in KurrentDB's {@code $acl} JSON. */
    public String aclKey() {
        return aclKey;
    }
}
