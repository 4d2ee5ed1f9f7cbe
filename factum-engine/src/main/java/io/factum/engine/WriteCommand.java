package io.factum.engine;

import io.factum.api.AppendCondition;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.SystemNames;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A write request, validated at the boundary and decided by the writer. Commands carry no
 * positions or timestamps: the decider assigns them, so the same command sequence applied to the
 * same state yields the same log on every node (a cluster applies commands from its Raft log, see
 * {@link Replica}).
 *
 * <p>Build commands with the static factories, which check them against the store's limits and
 * throw {@link InvalidInputException} naming the problem; the record constructors check nothing.
 */
public sealed interface WriteCommand {

    /** Payload bytes, counted against the writer queue's byte bound. */
    long sizeBytes();

    /**
     * One or more streams, each with its own expectation, all or nothing; with a condition, only if
     * no event matching its query lies after its position.
     */
    record Append(List<StreamAppend> parts, Optional<AppendCondition> condition, long sizeBytes)
            implements WriteCommand {
        public Append {
            parts = List.copyOf(parts);
            Objects.requireNonNull(condition, "condition");
        }

        /** An append without a condition. */
        public Append(List<StreamAppend> parts, long sizeBytes) {
            this(parts, Optional.empty(), sizeBytes);
        }
    }

    /** Soft delete: a metadata event with {@code $tb = DELETED}; the expectation is on the stream. */
    record SoftDelete(String stream, ExpectedVersion expected) implements WriteCommand {
        @Override
        public long sizeBytes() {
            return 256;
        }
    }

    /** Hard delete: a tombstone record; the stream is gone for ever. */
    record Tombstone(String stream, ExpectedVersion expected) implements WriteCommand {
        @Override
        public long sizeBytes() {
            return 256;
        }
    }

    /** An append to one stream, checked against the limits. */
    static Append append(String stream, ExpectedVersion expected, List<EventData> events, StoreLimits limits) {
        long bytes = checkPart(stream, events, limits);
        return new Append(List.of(new StreamAppend(stream, expected, events)), bytes);
    }

    /**
     * An append to several streams (each once), with an optional condition, checked against the
     * limits: names, sizes, the event count and bytes of the whole append, the condition's query.
     */
    static Append append(List<StreamAppend> appends, Optional<AppendCondition> condition, StoreLimits limits) {
        condition.ifPresent(c -> limits.checkQuery("condition.failIfEventsMatch", c.failIfEventsMatch()));
        if (appends.isEmpty()) {
            throw new InvalidInputException("appends", "[]", "a multi-stream append needs at least one stream");
        }
        Set<String> seen = new HashSet<>();
        long bytes = 0;
        long count = 0;
        for (int i = 0; i < appends.size(); i++) {
            StreamAppend part = appends.get(i);
            if (!seen.add(part.stream())) {
                throw new InvalidInputException(
                        "stream",
                        part.stream(),
                        "appears twice in one call (again as part " + i + "); a stream may appear once per call");
            }
            bytes += checkPart(part.stream(), part.events(), limits);
            count += part.events().size();
        }
        if (count > limits.maxEventsPerAppend()) {
            throw new InvalidInputException(
                    "events", count + " events", "an append may carry at most " + limits.maxEventsPerAppend());
        }
        if (bytes > limits.maxAppendBytes()) {
            throw new InvalidInputException(
                    "events", bytes + " bytes", "an append may carry at most " + limits.maxAppendBytes() + " bytes");
        }
        return new Append(appends, condition, bytes);
    }

    /**
     * The append that replaces a stream's metadata: one {@code $metadata} event to {@code $$stream}.
     * Its event id is chosen here, once, so that every replica of a cluster stores the same event.
     */
    static Append setMetadata(
            String stream, ExpectedVersion expectedMetastreamVersion, StreamMetadata metadata, StoreLimits limits) {
        checkOrdinaryStream(stream, limits);
        byte[] json = StreamMetadataCodec.encode(metadata);
        EventData event =
                new EventData(UUID.randomUUID(), SystemNames.METADATA_TYPE, json, new byte[0], ContentType.JSON);
        return append(SystemNames.metastreamOf(stream), expectedMetastreamVersion, List.of(event), limits);
    }

    /** A soft delete of an ordinary stream, checked against the limits. */
    static SoftDelete softDelete(String stream, ExpectedVersion expected, StoreLimits limits) {
        checkOrdinaryStream(stream, limits);
        return new SoftDelete(stream, expected);
    }

    /** A tombstone of an ordinary stream, checked against the limits. */
    static Tombstone tombstone(String stream, ExpectedVersion expected, StoreLimits limits) {
        checkOrdinaryStream(stream, limits);
        return new Tombstone(stream, expected);
    }

    /** Validates one stream's part; appends to a metastream must be valid metadata events. */
    private static long checkPart(String stream, List<EventData> events, StoreLimits limits) {
        long bytes = limits.checkAppend(stream, events);
        if (SystemNames.isMetastream(stream)) {
            for (EventData e : events) {
                if (!e.type().equals(SystemNames.METADATA_TYPE)) {
                    throw new InvalidInputException(
                            "eventType",
                            e.type(),
                            "events of metastream '" + stream + "' must have type " + SystemNames.METADATA_TYPE);
                }
                StreamMetadataCodec.decode(e.data());
            }
        }
        return bytes;
    }

    /** Metadata and deletes address a stream, never a metastream. */
    static void checkOrdinaryStream(String stream, StoreLimits limits) {
        limits.checkStreamName("stream", stream);
        if (SystemNames.isMetastream(stream)) {
            throw new InvalidInputException(
                    "stream", stream, "is a metastream; address the stream it describes instead");
        }
    }
}
