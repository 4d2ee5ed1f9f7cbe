/**
 * Crash and corruption tests of the embedded engine, end to end: a child JVM ({@link
 * io.factum.engine.crash.CrashWorkload}) is killed with SIGKILL while it appends, and a checker
 * ({@link io.factum.engine.crash.HistoryChecker}) compares what the reopened store holds with what
 * the child reported as submitted and acknowledged. See {@code docs/internals/testing.md}.
 */
@NullMarked
package io.factum.engine.crash;

import org.jspecify.annotations.NullMarked;
