/**
 * Tools for the hard parts of running event-sourced services: the causal tree of a correlation
 * id across streams and services, and an entity's state after each of its events.
 */
@NullMarked
package io.factum.framework.tools;

import org.jspecify.annotations.NullMarked;
