/**
 * The framework for writing event-sourced services on any {@link io.factum.api.EventStore}:
 * deciders ({@link io.factum.framework.Decider}) and command handling over a stream ({@link
 * io.factum.framework.StreamCommandHandler}), with test fixtures ({@link
 * io.factum.framework.DeciderFixture}). Domain code is plain Java: records, sealed interfaces and
 * pure functions; no annotations, no base classes, no thread-locals. Depends on {@code factum-api}
 * only, so it runs unchanged on the embedded engine and on the remote client.
 */
@NullMarked
package io.factum.framework;

import org.jspecify.annotations.NullMarked;
