/**
 * The embedded storage engine: a segmented, CRC32C-framed append-only log with group commit, a
 * persisted stream index, recovery and verification. {@link io.factum.engine.EmbeddedEventStore} is
 * the entry point; everything under {@code internal} is not API.
 */
@NullMarked
package io.factum.engine;

import org.jspecify.annotations.NullMarked;
