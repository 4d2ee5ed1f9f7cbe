package io.factum.framework.projection;

/**
 * A read model changed: the event at {@code position} of {@code stream} was applied (and, for a
 * transactional sink, committed). What a user interface waiting on its own write listens for.
 */
public record Change(String projection, int partition, String stream, long position, String type) {}
