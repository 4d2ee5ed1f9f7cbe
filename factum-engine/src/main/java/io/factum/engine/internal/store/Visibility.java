package io.factum.engine.internal.store;

import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadata;
import io.factum.api.SystemNames;
import java.time.Instant;

/**
 * Which versions of a stream its metadata lets readers see right now: those at or above a lower
 * bound ({@code $tb}, and the newest {@code $maxCount}) and younger than {@code $maxAge}.
 *
 * @param lowestVisibleVersion no event below this version is visible
 * @param oldestVisible events created before this instant are hidden
 * @param softDeleted the whole stream reads as "not found"
 */
record Visibility(long lowestVisibleVersion, Instant oldestVisible, boolean softDeleted) {

    /**
     * A metastream ({@code $$s}) has no metadata of its own and shows only its newest event: KurrentDB's
     * implicit {@code $maxCount} of 1, which clients rely on when they read metadata forwards.
     */
    static Visibility of(String stream, StreamMetadata metadata, long lastVersion, Instant now) {
        if (SystemNames.isMetastream(stream)) {
            return new Visibility(lastVersion, Instant.MIN, false);
        }
        long lowest = 0;
        if (metadata.truncateBefore().isPresent()) {
            lowest = Math.max(lowest, metadata.truncateBefore().getAsLong());
        }
        if (metadata.maxCount().isPresent()) {
            lowest = Math.max(lowest, lastVersion - metadata.maxCount().getAsLong() + 1);
        }
        Instant oldest = metadata.maxAge().map(now::minus).orElse(Instant.MIN);
        return new Visibility(lowest, oldest, metadata.isSoftDeleted());
    }

    boolean hasMaxAge() {
        return !oldestVisible.equals(Instant.MIN);
    }

    /** True when the event is older than {@code $maxAge} allows. */
    boolean expired(RecordedEvent event) {
        return event.created().isBefore(oldestVisible);
    }

    boolean isVisible(RecordedEvent event) {
        return !softDeleted
                && event.version() >= lowestVisibleVersion
                && !event.created().isBefore(oldestVisible);
    }
}
