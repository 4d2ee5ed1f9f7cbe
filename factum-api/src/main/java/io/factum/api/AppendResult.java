package io.factum.api;

/**
 * The outcome of a successful append.
 *
 * @param streamVersion the stream's version after the append (the last event's version); for an
 *     idempotent retry, the version of the last event of the earlier, matching append
 * @param position the global position of the append's last event; for an empty append, the store's
 *     head position at the time of the check, including records written by earlier parts of the
 *     same multi-stream append ({@code -1} for an empty store)
 * @param written false when nothing was written: an idempotent retry or an empty batch
 */
public record AppendResult(long streamVersion, long position, boolean written) {}
