package io.factum.framework;

/**
 * How a decider's state becomes a snapshot and back. The schema version names the state's shape:
 * change it whenever the state type or {@code evolve} changes what a state means, and snapshots
 * written under another version are ignored and rebuilt from the events.
 *
 * @param <S> state
 */
public interface SnapshotCodec<S> {

    /** The version of the state's shape that {@link #encode} writes and {@link #decode} reads. */
    int schemaVersion();

    byte[] encode(S state);

    /**
     * The state a snapshot of this schema version holds.
     *
     * @throws IllegalArgumentException when the data does not decode (the snapshot is then ignored)
     */
    S decode(byte[] data);

    /** Whether {@link #encode} writes JSON; stored snapshots are marked so. */
    default boolean isJson() {
        return true;
    }
}
