/**
 * The Factum event-store contract: {@link io.factum.api.EventStore}, its value types and its
 * errors. Every backend (embedded engine, server client, cluster, PostgreSQL, in-memory) implements
 * exactly these semantics and proves it by passing the TCK in {@code factum-testkit}.
 *
 * <p>This module depends on nothing but the JDK.
 */
@NullMarked
package io.factum.api;

import org.jspecify.annotations.NullMarked;
