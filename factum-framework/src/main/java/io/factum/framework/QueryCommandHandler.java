package io.factum.framework;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.framework.CommandSupport.Loaded;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Handles commands whose consistency boundary is a query (a dynamic consistency boundary): read
 * every event matching the command's query and fold them into the state, decide, append the decided
 * events on the condition that nothing matching the query was stored after the read; when something
 * was, read again and decide again, as the {@link RetryPolicy} allows. Use it for rules that span
 * entities ("a username is unique", "a course takes at most 30 students"), where a stream would
 * have to be an oversized aggregate.
 *
 * <p>The decided events go to the stream {@code streamOf} names (every event belongs to a stream)
 * with the tags {@code tagsOf} gives each; give them the tags the query selects, or later decisions
 * will not see them.
 *
 * <p>Idempotent per command id, as {@link StreamCommandHandler}: a redelivered command whose first
 * event matches its query is answered {@link CommandResult.AlreadyApplied} while loading; one whose
 * events do not match its own query is recognised by the store's idempotency for recent appends
 * (the same event ids appended again), which is bounded by the store's idempotency window.
 *
 * <p>Thread-safe and stateless between calls.
 *
 * @param <C> commands
 * @param <S> state
 * @param <E> events
 */
public final class QueryCommandHandler<C, S, E> {
    private final EventStore store;
    private final Decider<C, S, E> decider;
    private final Function<? super C, Query> queryOf;
    private final Function<? super C, String> streamOf;
    private final Function<? super E, List<String>> tagsOf;
    private final CommandSupport<E> support;

    private QueryCommandHandler(Builder<C, S, E> b) {
        this.store = b.store;
        this.decider = b.decider;
        this.queryOf = b.queryOf;
        this.streamOf = Objects.requireNonNull(b.streamOf, "streamOf: name the stream each decision's events go to");
        this.tagsOf = Objects.requireNonNull(b.tagsOf, "tagsOf: name the tags each decided event carries");
        this.support = b.support(b.codec, b.decider);
    }

    /**
     * @param queryOf the events a command's decision depends on, for example {@code c ->
     *     Query.tagged("course:" + c.courseId())}
     */
    public static <C, S, E> Builder<C, S, E> builder(
            EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, Query> queryOf) {
        return new Builder<>(store, decider, codec, queryOf);
    }

    /**
     * Decides the command against the events its query selects and stores what it decided.
     *
     * @throws RetriesExhaustedException when every attempt met a concurrent matching write
     * @throws UndecodableEventException when a matching stored event does not decode
     */
    public CommandResult<E> handle(CommandEnvelope<C> envelope) {
        C command = envelope.command();
        Query query = Objects.requireNonNull(queryOf.apply(command), "queryOf returned null");
        String stream = Objects.requireNonNull(streamOf.apply(command), "streamOf returned null");
        UUID firstEventId = CommandMetadata.eventId(envelope.commandId(), 0);
        return support.handle(
                envelope,
                decider,
                new CommandSupport.Boundary<>() {
                    @Override
                    public Loaded<S> load() {
                        return QueryCommandHandler.this.load(query, firstEventId);
                    }

                    @Override
                    public AppendResult append(List<E> events, Loaded<S> loaded) {
                        StreamAppend part = new StreamAppend(
                                stream, ExpectedVersion.any(), support.encode(envelope, events, tagsOf));
                        AppendCondition condition = AppendCondition.noneMatchingAfter(query, loaded.readAt());
                        return store.appendMulti(List.of(part), Optional.of(condition))
                                .get(0);
                    }
                },
                AppendConditionFailedException.class,
                "the events matching " + query + " (appending to stream '" + stream + "')");
    }

    private Loaded<S> load(Query query, UUID firstEventId) {
        S state = decider.initialState();
        int page = store.limits().maxReadCount();
        long from = 0;
        while (true) {
            QueryReadResult read = store.readByQuery(query, from, Direction.FORWARDS, page);
            for (RecordedEvent event : read.events()) {
                if (event.eventId().equals(firstEventId)) {
                    return new Loaded<>(state, read.headPosition(), -1, event.version());
                }
                for (E domainEvent : support.decode(event)) {
                    state = decider.evolve(state, domainEvent);
                }
            }
            // A full page may have more after it; each page starts after the previous one's last
            // match, so together the pages saw every match up to the last page's head.
            if (read.events().size() < page) {
                return new Loaded<>(state, read.headPosition(), -1, -1);
            }
            from = read.events().getLast().position() + 1;
        }
    }

    /** Options of a handler; {@link #build()} makes it. */
    public static final class Builder<C, S, E> extends CommandHandlerBuilder<Builder<C, S, E>> {
        private final EventStore store;
        private final Decider<C, S, E> decider;
        private final EventCodec<E> codec;
        private final Function<? super C, Query> queryOf;
        private Function<? super C, String> streamOf;
        private Function<? super E, List<String>> tagsOf;

        private Builder(
                EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, Query> queryOf) {
            this.store = Objects.requireNonNull(store, "store");
            this.decider = Objects.requireNonNull(decider, "decider");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.queryOf = Objects.requireNonNull(queryOf, "queryOf");
        }

        /** The stream a command's events go to (required). */
        public Builder<C, S, E> streamOf(Function<? super C, String> streams) {
            this.streamOf = Objects.requireNonNull(streams, "streams");
            return this;
        }

        /** The tags each decided event carries (required). */
        public Builder<C, S, E> tagsOf(Function<? super E, List<String>> tags) {
            this.tagsOf = Objects.requireNonNull(tags, "tags");
            return this;
        }

        @Override
        Builder<C, S, E> self() {
            return this;
        }

        /** @throws NullPointerException naming {@code streamOf} or {@code tagsOf} when one is missing */
        public QueryCommandHandler<C, S, E> build() {
            return new QueryCommandHandler<>(this);
        }
    }
}
