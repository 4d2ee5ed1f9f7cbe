/**
 * Offline copy-transform of streams into new ones ({@code factum migrate}), for schema changes
 * too big for upcasting: resumable from a checkpoint kept in the store, with progress and a
 * verification that recomputes what the target streams must hold.
 */
@NullMarked
package io.factum.framework.migration;

import org.jspecify.annotations.NullMarked;
