package io.factum.framework;

import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.WrongExpectedVersionException;
import io.factum.framework.CommandSupport.Loaded;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

/**
 * Handles commands whose consistency boundary is one stream: load the stream's events and fold
 * them into the state, decide, append the decided events with the version the state was read at;
 * when another writer appended in between, reload and decide again, as the {@link RetryPolicy}
 * allows.
 *
 * <p>Idempotent per command id: the events of a command get ids derived from its id, so a second
 * delivery of a command that was stored is recognised, while loading, by its first event's id, and
 * answered {@link CommandResult.AlreadyApplied} without deciding again. (A delivery racing the
 * first one to the same version is recognised by the store itself, which treats the same ids at
 * the same version as a retry.)
 *
 * <p>Thread-safe, and stateless between calls: any number of threads may handle commands, for the
 * same stream or others; conflicts between them are what the retries resolve.
 *
 * @param <C> commands
 * @param <S> state
 * @param <E> events
 */
public final class StreamCommandHandler<C, S, E> {

    private final EventStore store;
    private final Decider<C, S, E> decider;
    private final Function<? super C, String> streamOf;
    private final CommandSupport<E> support;

    private StreamCommandHandler(Builder<C, S, E> b) {
        this.store = b.store;
        this.decider = b.decider;
        this.streamOf = b.streamOf;
        this.support = b.support(b.codec);
    }

    /**
     * @param streamOf the stream a command's entity lives in, for example {@code c -> "account-" +
     *     c.accountId()}
     */
    public static <C, S, E> Builder<C, S, E> builder(
            EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, String> streamOf) {
        return new Builder<>(store, decider, codec, streamOf);
    }

    /**
     * Decides the command against its stream and stores what it decided.
     *
     * @throws RetriesExhaustedException when every attempt met a concurrent write
     * @throws UndecodableEventException when a stored event of the stream does not decode
     * @throws io.factum.api.StreamDeletedException when the stream was tombstoned
     */
    public CommandResult<E> handle(CommandEnvelope<C> envelope) {
        String stream = Objects.requireNonNull(streamOf.apply(envelope.command()), "streamOf returned null");
        UUID firstEventId = CommandMetadata.eventId(envelope.commandId(), 0);
        return support.handle(
                envelope,
                decider,
                new CommandSupport.Boundary<>() {
                    @Override
                    public Loaded<S> load() {
                        return StreamCommandHandler.this.load(stream, firstEventId);
                    }

                    @Override
                    public AppendResult append(List<E> events, Loaded<S> loaded) {
                        return store.append(
                                stream, expected(loaded.readAt()), support.encode(envelope, events, e -> List.of()));
                    }
                },
                WrongExpectedVersionException.class,
                "stream '" + stream + "'");
    }

    private Loaded<S> load(String stream, UUID firstEventId) {
        S state = decider.initialState();
        long version = -1;
        int page = store.limits().maxReadCount();
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(stream, from, Direction.FORWARDS, page);
            if (!(result instanceof ReadStreamResult.Found found)) {
                return new Loaded<>(state, -1, -1, -1);
            }
            for (RecordedEvent event : found.events()) {
                if (event.eventId().equals(firstEventId)) {
                    return new Loaded<>(state, event.version() - 1, event.version() - 1, event.version());
                }
                state = decider.evolve(state, support.decode(event));
                version = event.version();
            }
            if (found.endOfStream() || found.events().isEmpty()) {
                long last = Math.max(version, found.lastStreamVersion());
                return new Loaded<>(state, last, last, -1);
            }
            from = found.events().getLast().version() + 1;
        }
    }

    private static ExpectedVersion expected(long version) {
        return version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
    }

    /** Options of a handler; {@link #build()} makes it. */
    public static final class Builder<C, S, E> extends CommandHandlerBuilder<Builder<C, S, E>> {
        private final EventStore store;
        private final Decider<C, S, E> decider;
        private final EventCodec<E> codec;
        private final Function<? super C, String> streamOf;

        private Builder(
                EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, String> streamOf) {
            this.store = Objects.requireNonNull(store, "store");
            this.decider = Objects.requireNonNull(decider, "decider");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.streamOf = Objects.requireNonNull(streamOf, "streamOf");
        }

        @Override
        Builder<C, S, E> self() {
            return this;
        }

        public StreamCommandHandler<C, S, E> build() {
            return new StreamCommandHandler<>(this);
        }
    }
}
