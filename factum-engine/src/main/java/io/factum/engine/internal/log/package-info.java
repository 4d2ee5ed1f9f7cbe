/**
 * The segmented, CRC32C-framed append-only log of the embedded engine, and the data directory lock.
 * {@link io.factum.engine.internal.log.SegmentedLog} is the entry point; its class Javadoc and
 * {@code docs/internals/storage.md} specify the on-disk format. Not API.
 */
@NullMarked
package io.factum.engine.internal.log;

import org.jspecify.annotations.NullMarked;
