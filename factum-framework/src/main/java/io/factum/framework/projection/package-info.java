/**
 * Projections: read models built from {@code $all}, checkpointed, ordered per stream, parallel
 * across partitions shared by several instances through leases kept in the store, with a
 * sequenced dead-letter queue, rebuilds, and read-your-writes.
 */
@NullMarked
package io.factum.framework.projection;

import org.jspecify.annotations.NullMarked;
