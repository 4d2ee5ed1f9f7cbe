package io.factum.server.persistent;

import io.factum.api.InvalidInputException;
import java.util.Arrays;

/** How a group shares its events among its consumers; the names are KurrentDB's, on the wire. */
public enum ConsumerStrategy {
    /** Everything to the first consumer (in connection order) with a free slot. */
    DISPATCH_TO_SINGLE("DispatchToSingle"),
    /** Each event to the next consumer in turn that has a free slot. */
    ROUND_ROBIN("RoundRobin"),
    /** Events of one stream always to the same consumer (a hash of the stream name). */
    PINNED("Pinned"),
    /** Events with one {@code $correlationId} always to the same consumer. */
    PINNED_BY_CORRELATION("PinnedByCorrelation");

    private final String wireName;

    ConsumerStrategy(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * @throws InvalidInputException when the name is none of KurrentDB's strategies
     */
    public static ConsumerStrategy fromName(String field, String name) {
        for (ConsumerStrategy strategy : values()) {
            if (strategy.wireName.equals(name)) {
                return strategy;
            }
        }
        throw new InvalidInputException(
                field,
                name,
                "is not a consumer strategy (one of "
                        + Arrays.stream(values())
                                .map(ConsumerStrategy::wireName)
                                .toList() + ")");
    }
}
