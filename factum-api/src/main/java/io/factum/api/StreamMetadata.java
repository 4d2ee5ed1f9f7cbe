package io.factum.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A stream's metadata, stored as KurrentDB stores it: a JSON event in the metastream {@code
 * $$<stream>} with the reserved keys {@code $maxAge} (seconds), {@code $maxCount}, {@code $tb},
 * {@code $cacheControl} (seconds) and {@code $acl}; every other key is the user's own.
 *
 * @param maxCount keep only the newest N events visible
 * @param maxAge hide events older than this
 * @param truncateBefore hide events with a lower version; {@link #DELETED} marks a soft delete
 * @param cacheControl how long readers may cache the stream's pages
 * @param acl access control, empty when not set
 * @param customJson the user's keys as one JSON object text ({@code {}} when none)
 */
public record StreamMetadata(
        OptionalLong maxCount,
        Optional<Duration> maxAge,
        OptionalLong truncateBefore,
        Optional<Duration> cacheControl,
        Optional<StreamAcl> acl,
        String customJson) {

    /** The {@code $tb} value of a soft-deleted stream. */
    public static final long DELETED = Long.MAX_VALUE;

    public StreamMetadata {
        Objects.requireNonNull(maxCount, "maxCount");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(truncateBefore, "truncateBefore");
        Objects.requireNonNull(cacheControl, "cacheControl");
        Objects.requireNonNull(acl, "acl");
        Objects.requireNonNull(customJson, "customJson");
        if (maxCount.isPresent() && maxCount.getAsLong() < 1) {
            throw new InvalidInputException("maxCount", maxCount.getAsLong(), "must be >= 1");
        }
        if (maxAge.isPresent() && (maxAge.get().isNegative() || maxAge.get().isZero())) {
            throw new InvalidInputException("maxAge", maxAge.get(), "must be positive");
        }
        if (truncateBefore.isPresent() && truncateBefore.getAsLong() < 0) {
            throw new InvalidInputException("truncateBefore", truncateBefore.getAsLong(), "must be >= 0");
        }
        if (cacheControl.isPresent() && cacheControl.get().isNegative()) {
            throw new InvalidInputException("cacheControl", cacheControl.get(), "must not be negative");
        }
    }

    public static StreamMetadata empty() {
        return new StreamMetadata(
                OptionalLong.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), "{}");
    }

    public StreamMetadata withMaxCount(long count) {
        return new StreamMetadata(OptionalLong.of(count), maxAge, truncateBefore, cacheControl, acl, customJson);
    }

    public StreamMetadata withMaxAge(Duration age) {
        return new StreamMetadata(maxCount, Optional.of(age), truncateBefore, cacheControl, acl, customJson);
    }

    public StreamMetadata withTruncateBefore(long version) {
        return new StreamMetadata(maxCount, maxAge, OptionalLong.of(version), cacheControl, acl, customJson);
    }

    public StreamMetadata withCacheControl(Duration duration) {
        return new StreamMetadata(maxCount, maxAge, truncateBefore, Optional.of(duration), acl, customJson);
    }

    public StreamMetadata withAcl(StreamAcl newAcl) {
        return new StreamMetadata(maxCount, maxAge, truncateBefore, cacheControl, Optional.of(newAcl), customJson);
    }

    public StreamMetadata withCustomJson(String json) {
        return new StreamMetadata(maxCount, maxAge, truncateBefore, cacheControl, acl, json);
    }

    public boolean isSoftDeleted() {
        return truncateBefore.isPresent() && truncateBefore.getAsLong() == DELETED;
    }
}
