/**
 * {@link io.factum.testkit.memory.InMemoryEventStore}: the reference backend, kept in memory, used
 * by the framework's tests and as the TCK's own proof that the suite can be passed.
 */
@NullMarked
package io.factum.testkit.memory;

import org.jspecify.annotations.NullMarked;
