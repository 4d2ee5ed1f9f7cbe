package io.factum.server.persistent;

import io.factum.api.InvalidInputException;
import java.util.Objects;

/**
 * A group's settings, as KurrentDB defines them. Times are in milliseconds.
 *
 * @param resolveLinks deliver the target of a link event ({@code $>}), with the link beside it
 * @param startFrom where to start when there is no checkpoint
 * @param extraStatistics accepted and reported; Factum keeps the same statistics either way
 * @param messageTimeoutMs an unacknowledged event is retried after this long; 0 never
 * @param maxRetryCount a failed delivery with this retry count parks the event
 * @param liveBufferSize most events read ahead once the group is live
 * @param readBatchSize accepted and reported (the store's subscription pages by itself)
 * @param historyBufferSize most events read ahead while catching up
 * @param checkpointAfterMs a checkpoint is written at most this often once the lower bound is met
 * @param minCheckpointCount events processed before a timed checkpoint is worth writing
 * @param maxCheckpointCount events processed after which a checkpoint is written at once
 * @param maxSubscriberCount most consumers at once, 0 for no limit
 * @param strategy how events are shared among consumers
 */
public record GroupSettings(
        boolean resolveLinks,
        StartFrom startFrom,
        boolean extraStatistics,
        int messageTimeoutMs,
        int maxRetryCount,
        int liveBufferSize,
        int readBatchSize,
        int historyBufferSize,
        int checkpointAfterMs,
        int minCheckpointCount,
        int maxCheckpointCount,
        int maxSubscriberCount,
        ConsumerStrategy strategy) {

    /** Read-ahead beyond this is refused: it is memory held per group. */
    public static final int MAX_BUFFER_SIZE = 100_000;

    public GroupSettings {
        Objects.requireNonNull(startFrom, "startFrom");
        Objects.requireNonNull(strategy, "strategy");
        atLeast("messageTimeoutMs", messageTimeoutMs, 0);
        atLeast("maxRetryCount", maxRetryCount, 0);
        between("liveBufferSize", liveBufferSize, 1, MAX_BUFFER_SIZE);
        between("readBatchSize", readBatchSize, 1, MAX_BUFFER_SIZE);
        between("historyBufferSize", historyBufferSize, 1, MAX_BUFFER_SIZE);
        atLeast("checkpointAfterMs", checkpointAfterMs, 0);
        atLeast("minCheckpointCount", minCheckpointCount, 0);
        atLeast("maxCheckpointCount", maxCheckpointCount, 1);
        if (minCheckpointCount > maxCheckpointCount) {
            throw new InvalidInputException(
                    "minCheckpointCount",
                    minCheckpointCount,
                    "must not exceed maxCheckpointCount (" + maxCheckpointCount + ")");
        }
        atLeast("maxSubscriberCount", maxSubscriberCount, 0);
    }

    /** The official clients' defaults. */
    public static GroupSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .resolveLinks(resolveLinks)
                .startFrom(startFrom)
                .extraStatistics(extraStatistics)
                .messageTimeoutMs(messageTimeoutMs)
                .maxRetryCount(maxRetryCount)
                .liveBufferSize(liveBufferSize)
                .readBatchSize(readBatchSize)
                .historyBufferSize(historyBufferSize)
                .checkpointAfterMs(checkpointAfterMs)
                .minCheckpointCount(minCheckpointCount)
                .maxCheckpointCount(maxCheckpointCount)
                .maxSubscriberCount(maxSubscriberCount)
                .strategy(strategy);
    }

    private static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new InvalidInputException(field, value, "must be >= " + min);
        }
    }

    private static void between(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidInputException(field, value, "must be between " + min + " and " + max);
        }
    }

    /** Builds settings, starting from the clients' defaults. */
    public static final class Builder {
        private boolean resolveLinks;
        private StartFrom startFrom = StartFrom.end();
        private boolean extraStatistics;
        private int messageTimeoutMs = 30_000;
        private int maxRetryCount = 10;
        private int liveBufferSize = 500;
        private int readBatchSize = 20;
        private int historyBufferSize = 500;
        private int checkpointAfterMs = 2_000;
        private int minCheckpointCount = 10;
        private int maxCheckpointCount = 1_000;
        private int maxSubscriberCount;
        private ConsumerStrategy strategy = ConsumerStrategy.ROUND_ROBIN;

        private Builder() {}

        public Builder resolveLinks(boolean value) {
            resolveLinks = value;
            return this;
        }

        public Builder startFrom(StartFrom value) {
            startFrom = value;
            return this;
        }

        public Builder extraStatistics(boolean value) {
            extraStatistics = value;
            return this;
        }

        public Builder messageTimeoutMs(int value) {
            messageTimeoutMs = value;
            return this;
        }

        public Builder maxRetryCount(int value) {
            maxRetryCount = value;
            return this;
        }

        public Builder liveBufferSize(int value) {
            liveBufferSize = value;
            return this;
        }

        public Builder readBatchSize(int value) {
            readBatchSize = value;
            return this;
        }

        public Builder historyBufferSize(int value) {
            historyBufferSize = value;
            return this;
        }

        public Builder checkpointAfterMs(int value) {
            checkpointAfterMs = value;
            return this;
        }

        public Builder minCheckpointCount(int value) {
            minCheckpointCount = value;
            return this;
        }

        public Builder maxCheckpointCount(int value) {
            maxCheckpointCount = value;
            return this;
        }

        public Builder maxSubscriberCount(int value) {
            maxSubscriberCount = value;
            return this;
        }

        public Builder strategy(ConsumerStrategy value) {
            strategy = value;
            return this;
        }

        public GroupSettings build() {
            return new GroupSettings(
                    resolveLinks,
                    startFrom,
                    extraStatistics,
                    messageTimeoutMs,
                    maxRetryCount,
                    liveBufferSize,
                    readBatchSize,
                    historyBufferSize,
                    checkpointAfterMs,
                    minCheckpointCount,
                    maxCheckpointCount,
                    maxSubscriberCount,
                    strategy);
        }
    }
}
