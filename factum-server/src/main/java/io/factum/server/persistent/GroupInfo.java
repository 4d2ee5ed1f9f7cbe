package io.factum.server.persistent;

import java.util.List;
import java.util.OptionalLong;

/**
 * A snapshot of a group for GetInfo and List.
 *
 * @param config the group's configuration
 * @param status {@code Live}, {@code Behind} (catching up), {@code ReplayingParkedMessages}, or
 *     {@code Dropped} when its source failed (e.g. the stream was tombstoned)
 * @param connections its consumers, in connection order
 * @param stats its counters
 */
public record GroupInfo(GroupConfig config, String status, List<ConnectionInfo> connections, Stats stats) {

    public GroupInfo {
        connections = List.copyOf(connections);
    }

    /**
     * @param averagePerSecond events delivered per second over the last measurement (about 1 s)
     * @param totalItems events delivered since the group started
     * @param countSinceLastMeasurement events delivered in the last measurement
     * @param lastCheckpoint the last checkpointed revision or position
     * @param lastKnown the last revision or position read from the source
     * @param bufferedCount events read ahead, not yet delivered
     * @param retryCount events waiting to be delivered again (retries and parked replays)
     * @param inFlightCount events delivered and not yet acknowledged
     * @param parkedCount events in the parked stream, not yet replayed
     */
    public record Stats(
            int averagePerSecond,
            long totalItems,
            long countSinceLastMeasurement,
            OptionalLong lastCheckpoint,
            OptionalLong lastKnown,
            int bufferedCount,
            int retryCount,
            int inFlightCount,
            long parkedCount) {}

    /** One consumer. */
    public record ConnectionInfo(
            String from,
            String username,
            int averageItemsPerSecond,
            long totalItems,
            long countSinceLastMeasurement,
            int availableSlots,
            int inFlight) {}
}
