package io.factum.engine;

/** When an append is acknowledged. */
public enum Durability {
    /** After the frame is on stable storage (fsync). The default; nothing acknowledged is lost. */
    FSYNC,
    /**
     * After the frame is written to the OS page cache, without fsync. Survives a process crash but
     * not a power loss or kernel crash: an explicit operator choice, never a default.
     */
    NO_FSYNC
}
