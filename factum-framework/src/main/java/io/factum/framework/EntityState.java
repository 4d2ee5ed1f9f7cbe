package io.factum.framework;

import java.util.Objects;

/**
 * An entity's state as of a stream version.
 *
 * @param version the version of the last event folded into the state (-1: the stream has none)
 */
public record EntityState<S>(S state, long version) {
    public EntityState {
        Objects.requireNonNull(state, "state");
    }
}
