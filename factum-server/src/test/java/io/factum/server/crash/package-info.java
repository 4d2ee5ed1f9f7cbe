/**
 * Durability of the server as users run it: a real {@code factum server} process, written to by
 * the official Java client from many concurrent writers, killed with SIGKILL (or stopped with
 * SIGTERM) and restarted on the same data directory; a checker compares what the restarted server
 * serves with every append the client saw acknowledged.
 */
@NullMarked
package io.factum.server.crash;

import org.jspecify.annotations.NullMarked;
