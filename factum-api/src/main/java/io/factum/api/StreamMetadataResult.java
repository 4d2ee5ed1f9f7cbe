package io.factum.api;

/**
 * A stream's current metadata.
 *
 * @param stream the stream it describes
 * @param metastreamVersion the version of the metadata event in {@code $$stream}, {@code -1} when
 *     none was ever written (then {@code metadata} is empty); use it as the expected version of the
 *     next {@link EventStore#setStreamMetadata} for optimistic concurrency
 * @param metadata the metadata
 */
public record StreamMetadataResult(String stream, long metastreamVersion, StreamMetadata metadata) {}
