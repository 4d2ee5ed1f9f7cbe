/**
 * Server metrics: counters the transports increment (appends, bytes, reads, subscriptions, HTTP
 * requests), and their export in the Prometheus text format together with the engine's statistics
 * and the JVM's. Transport-neutral: gRPC and HTTP count into the same {@link
 * io.factum.server.metrics.ServerMetrics}.
 */
@NullMarked
package io.factum.server.metrics;

import org.jspecify.annotations.NullMarked;
