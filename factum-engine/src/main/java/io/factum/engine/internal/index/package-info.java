/**
 * The persisted stream index of the embedded engine: stream name and version to global log
 * position. {@link io.factum.engine.internal.index.StreamIndex} is the entry point; its Javadoc and
 * {@code docs/internals/index.md} specify the on-disk format and the memory budget.
 */
@NullMarked
package io.factum.engine.internal.index;

import org.jspecify.annotations.NullMarked;
