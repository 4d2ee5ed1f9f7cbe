package io.factum.engine.internal.store;

import io.factum.api.AppendCondition;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAppend;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A write request, validated at the boundary and decided on the writer thread. Commands carry no
 * positions or timestamps: the decider assigns them, so the same command sequence applied to the
 * same state yields the same log on every node (the cluster applies commands from a Raft log).
 */
public sealed interface Command {

    /** Payload bytes, counted against the writer queue's byte bound. */
    long sizeBytes();

    /**
     * One or more streams, each with its own expectation, all or nothing; with a condition, only if
     * no event matching its query lies after its position.
     */
    record Append(List<StreamAppend> parts, Optional<AppendCondition> condition, long sizeBytes) implements Command {
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
    record SoftDelete(String stream, ExpectedVersion expected) implements Command {
        @Override
        public long sizeBytes() {
            return 256;
        }
    }

    /** Hard delete: a tombstone record; the stream is gone for ever. */
    record Tombstone(String stream, ExpectedVersion expected) implements Command {
        @Override
        public long sizeBytes() {
            return 256;
        }
    }
}
