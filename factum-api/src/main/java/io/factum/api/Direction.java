package io.factum.api;

/** The order of a read. */
public enum Direction {
    FORWARDS,
    BACKWARDS
}
