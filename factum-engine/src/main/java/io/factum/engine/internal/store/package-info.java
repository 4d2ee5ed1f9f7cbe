/**
 * The store's moving parts above the log and the index: the append decider (deterministic), the
 * single writer thread with group commit, reads that honour stream metadata, and subscriptions.
 * Not API.
 */
@NullMarked
package io.factum.engine.internal.store;

import org.jspecify.annotations.NullMarked;
