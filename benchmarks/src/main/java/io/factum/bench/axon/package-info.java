/**
 * Axon Framework doing the same account commands as {@code bench framework}, for the side-by-side
 * figures: an annotated aggregate, on Axon's JDBC storage (PostgreSQL) and in memory.
 */
package io.factum.bench.axon;
