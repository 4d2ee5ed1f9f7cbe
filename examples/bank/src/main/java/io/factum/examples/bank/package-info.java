/**
 * The bank example: accounts as deciders, transfers as a process manager with a daily limit per
 * customer kept by a dynamic consistency boundary, read models in PostgreSQL and in memory, an
 * HTTP API, and {@code ./factum demo bank}.
 */
@NullMarked
package io.factum.examples.bank;

import org.jspecify.annotations.NullMarked;
