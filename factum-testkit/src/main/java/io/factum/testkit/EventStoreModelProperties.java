package io.factum.testkit;

import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.testkit.ModelOps.Advance;
import io.factum.testkit.ModelOps.After;
import io.factum.testkit.ModelOps.Append;
import io.factum.testkit.ModelOps.ConditionalAppend;
import io.factum.testkit.ModelOps.Delete;
import io.factum.testkit.ModelOps.Expect;
import io.factum.testkit.ModelOps.Filter;
import io.factum.testkit.ModelOps.GetMetadata;
import io.factum.testkit.ModelOps.Multi;
import io.factum.testkit.ModelOps.Op;
import io.factum.testkit.ModelOps.Part;
import io.factum.testkit.ModelOps.QueryChoice;
import io.factum.testkit.ModelOps.ReadAll;
import io.factum.testkit.ModelOps.ReadQuery;
import io.factum.testkit.ModelOps.ReadStream;
import io.factum.testkit.ModelOps.Retry;
import io.factum.testkit.ModelOps.RetryConditional;
import io.factum.testkit.ModelOps.SetMetadata;
import io.factum.testkit.ModelOps.Tags;
import io.factum.testkit.ModelOps.Tombstone;
import io.factum.testkit.ModelOps.Variant;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * A property test: random sequences of operations run on a backend and on {@link StoreModel}, and
 * every result and every failure must be the same. A backend subclasses it as it subclasses {@link
 * EventStoreContractTest}, implementing {@link #newStore}; a store is opened per try.
 *
 * <p>The operations cover appends with every kind of expectation (including stale writers and
 * retries of earlier batches, whole, prefixed or changed), multi-stream appends, stream and {@code
 * $all} reads in both directions with random starts, limits and filters, metadata ({@code maxCount},
 * {@code truncateBefore}, {@code maxAge}), soft deletes, tombstones, the clock moving on, and
 * dynamic consistency boundaries: events with tags, reads by query, conditional appends whose
 * position is current, stale or at the boundary, and their retries. Tiny
 * limits make invalid input frequent. A failure prints the shrunk sequence and, step by step, what
 * the model answered, up to the step where the backend differed.
 *
 * <p>Results are compared field by field: for events stream, version, position, type, timestamp,
 * tags and data (for a metadata event, the codec's bytes); for user events also id, metadata and
 * content type. A tombstone's id and payload are the store's own. For failures the exception type, for
 * conflicts also their stream, expectation and actual version, for deletes the stream, for failed
 * conditions the conflicting position.
 */
public abstract class EventStoreModelProperties {

    /** 32-byte names, 16-byte types, 64-byte events, 256-byte appends, 4 events per append, reads of 8. */
    static final StoreLimits LIMITS = new StoreLimits(32, 16, 64, 256, 4, 8);

    /** A new, empty store using this clock and these limits; the property closes it. */
    protected abstract EventStore newStore(ManualClock clock, StoreLimits limits) throws Exception;

    @Property(tries = 300, edgeCases = EdgeCasesMode.NONE)
    void storeAnswersLikeTheModel(@ForAll("operations") List<Op> operations) throws Exception {
        ManualClock clock = ManualClock.atDefaultStart();
        try (EventStore store = newStore(clock, LIMITS)) {
            ModelRun run = new ModelRun(store, new StoreModel(clock, LIMITS), clock);
            for (Op op : operations) {
                run.step(op);
            }
            run.compareEverything();
        }
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        return Arbitraries.frequencyOf(
                        Tuple.of(8, append()),
                        Tuple.of(4, retry()),
                        Tuple.of(2, multi()),
                        Tuple.of(3, conditionalAppend()),
                        Tuple.of(1, Arbitraries.integers().between(0, 7).map(RetryConditional::new)),
                        Tuple.of(3, readQuery()),
                        Tuple.of(4, readStream()),
                        Tuple.of(3, readAll()),
                        Tuple.of(2, setMetadata()),
                        Tuple.of(1, streamIndex().map(GetMetadata::new)),
                        Tuple.of(2, Combinators.combine(streamIndex(), expect()).as(Delete::new)),
                        Tuple.of(1, Combinators.combine(streamIndex(), expect()).as(Tombstone::new)),
                        Tuple.of(2, Arbitraries.of(1, 10, 30, 60).map(Advance::new)))
                .list()
                .ofMinSize(1)
                .ofMaxSize(40);
    }

    private static Arbitrary<Integer> streamIndex() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(0, 2)), Tuple.of(1, Arbitraries.just(3)));
    }

    /** Every kind of expectation, biased to those that usually hold so that streams grow. */
    private static Arbitrary<Expect> expect() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Expect.ANY)),
                Tuple.of(3, Arbitraries.just(Expect.CURRENT)),
                Tuple.of(2, Arbitraries.just(Expect.NO_STREAM)),
                Tuple.of(2, Arbitraries.just(Expect.STREAM_EXISTS)),
                Tuple.of(1, Arbitraries.just(Expect.STALE)),
                Tuple.of(1, Arbitraries.just(Expect.ONE)));
    }

    private static Arbitrary<Op> append() {
        Arbitrary<Integer> count = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.integers().between(1, LIMITS.maxEventsPerAppend())),
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.just(LIMITS.maxEventsPerAppend() + 1)));
        Arbitrary<Boolean> oversized =
                Arbitraries.frequencyOf(Tuple.of(15, Arbitraries.just(false)), Tuple.of(1, Arbitraries.just(true)));
        return Combinators.combine(streamIndex(), expect(), count, oversized, tags())
                .as(Append::new);
    }

    /** Tags from a three-letter alphabet, so that queries match often; rarely a duplicate tag. */
    private static Arbitrary<Tags> tags() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Tags.NONE)),
                Tuple.of(3, Arbitraries.of(Tags.A, Tags.B)),
                Tuple.of(3, Arbitraries.of(Tags.AB, Tags.BC)),
                Tuple.of(1, Arbitraries.just(Tags.DUPLICATE)));
    }

    /** Mostly valid queries, sometimes one with an invalid tag. */
    private static Arbitrary<QueryChoice> query() {
        return Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.of(QueryChoice.class).filter(q -> q != QueryChoice.INVALID)),
                Tuple.of(1, Arbitraries.just(QueryChoice.INVALID)));
    }

    /** Conditions as deciders make them: mostly current, often stale, sometimes at the boundary. */
    private static Arbitrary<Op> conditionalAppend() {
        Arbitrary<After> after = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(After.CURRENT)),
                Tuple.of(3, Arbitraries.just(After.STALE)),
                Tuple.of(2, Arbitraries.just(After.NONE)),
                Tuple.of(1, Arbitraries.just(After.LAST_MATCH)));
        // Distinct streams: a repeated stream is invalid input, which multi() covers already.
        Arbitrary<List<Part>> parts = part().list().ofMinSize(1).ofMaxSize(2).uniqueElements(Part::stream);
        return Combinators.combine(parts, query(), after).as(ConditionalAppend::new);
    }

    private static Arbitrary<Op> readQuery() {
        Arbitrary<Long> from = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 12)), Tuple.of(3, Arbitraries.just(-1L)));
        return Combinators.combine(query(), from, Arbitraries.of(Direction.class), readCount())
                .as(ReadQuery::new);
    }

    private static Arbitrary<Op> retry() {
        Arbitrary<Variant> variant = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(Variant.SAME)),
                Tuple.of(1, Arbitraries.just(Variant.PREFIX)),
                Tuple.of(1, Arbitraries.just(Variant.CHANGED_TAIL)));
        return Combinators.combine(Arbitraries.integers().between(0, 15), expect().optional(), variant)
                .as(Retry::new);
    }

    private static Arbitrary<Op> multi() {
        return part().list().ofMinSize(1).ofMaxSize(3).map(Multi::new);
    }

    private static Arbitrary<Part> part() {
        return Combinators.combine(
                        streamIndex(), expect(), Arbitraries.integers().between(0, 3), tags())
                .as(Part::new);
    }

    private static Arbitrary<Op> readStream() {
        Arbitrary<Long> from = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 8)), Tuple.of(2, Arbitraries.just(-1L)));
        return Combinators.combine(streamIndex(), from, Arbitraries.of(Direction.class), readCount())
                .as(ReadStream::new);
    }

    private static Arbitrary<Op> readAll() {
        Arbitrary<Long> from = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(0, 12)), Tuple.of(3, Arbitraries.just(-1L)));
        return Combinators.combine(from, Arbitraries.of(Direction.class), readCount(), Arbitraries.of(Filter.class))
                .as(ReadAll::new);
    }

    /** Mostly valid read counts, sometimes 0 or one over the limit. */
    private static Arbitrary<Integer> readCount() {
        return Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(1, LIMITS.maxReadCount())),
                Tuple.of(1, Arbitraries.of(0, LIMITS.maxReadCount() + 1)));
    }

    private static Arbitrary<Op> setMetadata() {
        Arbitrary<OptionalLong> maxCount = optionalLong(1, 4);
        Arbitrary<OptionalLong> truncateBefore = optionalLong(0, 6);
        Arbitrary<OptionalLong> maxAge = Arbitraries.of(OptionalLong.empty(), OptionalLong.of(30), OptionalLong.of(90));
        return Combinators.combine(
                        streamIndex(), expect(), maxCount, truncateBefore, maxAge, Arbitraries.of(false, true))
                .as(SetMetadata::new);
    }

    private static Arbitrary<OptionalLong> optionalLong(long min, long max) {
        return Arbitraries.longs().between(min, max).optional(0.5).map(o -> o.map(OptionalLong::of)
                .orElse(OptionalLong.empty()));
    }
}
