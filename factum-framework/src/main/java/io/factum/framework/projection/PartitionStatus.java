package io.factum.framework.projection;

/**
 * One partition as this instance sees it.
 *
 * @param running whether this instance works on it now
 * @param owner the instance that holds its lease ("" when none; this instance's id without leases)
 * @param processedThrough every event of the partition up to this position is applied (-1: none
 *     yet; for a partition another instance runs, its stored checkpoint)
 * @param queued events waiting in this instance's queue for it
 * @param parkedStreams streams whose events wait in the dead-letter queue
 */
public record PartitionStatus(
        int partition, boolean running, String owner, long processedThrough, int queued, int parkedStreams) {}
