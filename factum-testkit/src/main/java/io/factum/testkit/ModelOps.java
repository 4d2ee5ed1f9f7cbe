package io.factum.testkit;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.ReadAllOptions;
import io.factum.api.SystemNames;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The operations {@link EventStoreModelProperties} generates. They are symbolic ("the stream's
 * current version", "batch 2 again") and resolved against the model when they run, so that a
 * shrunk sequence still means something. Their {@code toString} is what a failing example prints.
 */
final class ModelOps {

    private ModelOps() {}

    /** Stream names by index: three user streams, and a system stream nobody may write. */
    static final List<String> STREAMS = List.of("s0", "s1", "s2", "$sys");

    static String nameOf(int index) {
        return STREAMS.get(index);
    }

    /** A symbolic expected version. */
    enum Expect {
        ANY,
        NO_STREAM,
        STREAM_EXISTS,
        /** Exactly the stream's last version (no stream when it has none). */
        CURRENT,
        /** Exactly one below the stream's last version (a stale writer). */
        STALE,
        /** Exactly version 1, whatever the stream holds. */
        ONE;

        ExpectedVersion resolve(long last) {
            return switch (this) {
                case ANY -> ExpectedVersion.any();
                case NO_STREAM -> ExpectedVersion.noStream();
                case STREAM_EXISTS -> ExpectedVersion.streamExists();
                case CURRENT -> last < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(last);
                case STALE -> ExpectedVersion.exactly(Math.max(0, last - 1));
                case ONE -> ExpectedVersion.exactly(1);
            };
        }
    }

    /** How a retried batch differs from the one first sent. */
    enum Variant {
        SAME,
        /** Only its first event. */
        PREFIX,
        /** Its first event, then a new one. */
        CHANGED_TAIL
    }

    enum Filter {
        NONE(EventFilter.none()),
        STREAM_PREFIX(EventFilter.streamNamePrefix("s1", "$$s1")),
        STREAM_REGEX(EventFilter.streamNameRegex("[02]$")),
        TYPE_PREFIX(EventFilter.eventTypePrefix("Up")),
        TYPE_REGEX(EventFilter.eventTypeRegex("ate")),
        NO_SYSTEM_STREAMS(EventFilter.excludeSystemStreams()),
        NO_SYSTEM_EVENTS(EventFilter.excludeSystemEvents());

        final EventFilter filter;

        Filter(EventFilter filter) {
            this.filter = filter;
        }
    }

    /** The tags every event of a batch carries; {@code DUPLICATE} is invalid input. */
    enum Tags {
        NONE(),
        A("a"),
        B("b"),
        AB("a", "b"),
        BC("b", "c"),
        DUPLICATE("a", "a");

        final List<String> tags;

        Tags(String... tags) {
            this.tags = List.of(tags);
        }
    }

    /** The queries reads and conditions use, over the types ModelRun gives events and the tags above. */
    enum QueryChoice {
        TAG_A(Query.tagged("a")),
        TAGS_A_AND_B(Query.tagged("a", "b")),
        CREATED_WITH_B(Query.of(List.of("Created"), List.of("b"))),
        UPDATED_OR_METADATA(Query.of(QueryItem.types("Updated", SystemNames.METADATA_TYPE))),
        TAG_A_OR_TAG_C(Query.of(QueryItem.tagged("a"), QueryItem.tagged("c"))),
        CUSTOM_OR_TAG_B(Query.of(QueryItem.types("$Custom"), QueryItem.tagged("b"))),
        /** A tag with a control character (a tab): invalid input. */
        INVALID(Query.tagged("bad\ttab"));

        final Query query;

        QueryChoice(Query query) {
            this.query = query;
        }
    }

    /** A symbolic {@code afterPosition} for a condition, resolved against the model. */
    enum After {
        /** -1: no match may exist at all. */
        NONE,
        /** The head now: what a decider that just read gets. */
        CURRENT,
        /** Two below the head: a decider that read before others wrote. */
        STALE,
        /** The position of the query's last match: the boundary, which must pass. */
        LAST_MATCH
    }

    sealed interface Op {}

    /**
     * Appends {@code count} new events; {@code oversized} makes one of them too large, {@code count}
     * beyond the limit makes the append too long.
     */
    record Append(int stream, Expect expect, int count, boolean oversized, Tags tags) implements Op {
        @Override
        public String toString() {
            return "append(" + nameOf(stream) + ", " + expect + ", " + count + " events"
                    + (oversized ? ", one oversized" : "") + (tags == Tags.NONE ? "" : ", tags " + tags.tags) + ")";
        }
    }

    /** Sends an earlier successful batch again (the n-th, modulo how many there are). */
    record Retry(int batch, Optional<Expect> expect, Variant variant) implements Op {
        @Override
        public String toString() {
            return "retry(batch " + batch + ", " + expect.map(Expect::name).orElse("ORIGINAL expectation") + ", "
                    + variant + ")";
        }
    }

    record Part(int stream, Expect expect, int count, Tags tags) {
        @Override
        public String toString() {
            return nameOf(stream) + ":" + expect + ":" + count + (tags == Tags.NONE ? "" : ":" + tags.tags);
        }
    }

    record Multi(List<Part> parts) implements Op {
        @Override
        public String toString() {
            return "appendMulti(" + parts + ")";
        }
    }

    /** A multi-stream append on condition that no event matching the query is after {@code after}. */
    record ConditionalAppend(List<Part> parts, QueryChoice query, After after) implements Op {
        @Override
        public String toString() {
            return "appendIf(" + parts + ", none " + query + " after " + after + ")";
        }
    }

    /** Sends an earlier successful conditional append again, unchanged (the n-th, modulo how many). */
    record RetryConditional(int append) implements Op {
        @Override
        public String toString() {
            return "retryConditional(" + append + ")";
        }
    }

    /** Reads by query; {@code from} of -1 means {@link ReadAllOptions#END}. */
    record ReadQuery(QueryChoice query, long from, Direction direction, int maxCount) implements Op {
        long fromPosition() {
            return from < 0 ? ReadAllOptions.END : from;
        }

        @Override
        public String toString() {
            return "readByQuery(" + query + ", from " + (from < 0 ? "END" : from) + ", " + direction + ", max "
                    + maxCount + ")";
        }
    }

    /** Reads a stream; {@code from} of -1 means {@code Long.MAX_VALUE}. */
    record ReadStream(int stream, long from, Direction direction, int maxCount) implements Op {
        long fromVersion() {
            return from < 0 ? Long.MAX_VALUE : from;
        }

        @Override
        public String toString() {
            return "readStream(" + nameOf(stream) + ", from " + (from < 0 ? "MAX" : from) + ", " + direction + ", max "
                    + maxCount + ")";
        }
    }

    /** Reads {@code $all}; {@code from} of -1 means {@link ReadAllOptions#END}. */
    record ReadAll(long from, Direction direction, int maxCount, Filter filter) implements Op {
        ReadAllOptions options() {
            long position = from < 0 ? ReadAllOptions.END : from;
            return new ReadAllOptions(position, direction, maxCount, filter.filter);
        }

        @Override
        public String toString() {
            return "readAll(from " + (from < 0 ? "END" : from) + ", " + direction + ", max " + maxCount + ", " + filter
                    + ")";
        }
    }

    /**
     * Sets metadata: with {@code setStreamMetadata}, or, {@code viaMetastream}, by appending a {@code
     * $metadata} event to the metastream as a KurrentDB client does.
     */
    record SetMetadata(
            int stream,
            Expect expect,
            OptionalLong maxCount,
            OptionalLong truncateBefore,
            OptionalLong maxAgeSeconds,
            boolean viaMetastream)
            implements Op {
        @Override
        public String toString() {
            return (viaMetastream ? "appendMetadataEvent(" : "setStreamMetadata(") + nameOf(stream) + ", " + expect
                    + ", maxCount " + maxCount + ", truncateBefore " + truncateBefore + ", maxAgeSeconds "
                    + maxAgeSeconds + ")";
        }
    }

    record GetMetadata(int stream) implements Op {
        @Override
        public String toString() {
            return "getStreamMetadata(" + nameOf(stream) + ")";
        }
    }

    record Delete(int stream, Expect expect) implements Op {
        @Override
        public String toString() {
            return "delete(" + nameOf(stream) + ", " + expect + ")";
        }
    }

    record Tombstone(int stream, Expect expect) implements Op {
        @Override
        public String toString() {
            return "tombstone(" + nameOf(stream) + ", " + expect + ")";
        }
    }

    record Advance(int seconds) implements Op {
        @Override
        public String toString() {
            return "clock +" + seconds + "s";
        }
    }
}
