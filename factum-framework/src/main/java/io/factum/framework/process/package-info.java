/**
 * Process managers (sagas): event-sourced, keyed by a correlation value, reacting to events with
 * commands, compensating when a step is refused, and scheduling deadlines kept in the store.
 */
@NullMarked
package io.factum.framework.process;

import org.jspecify.annotations.NullMarked;
