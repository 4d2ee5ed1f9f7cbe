package io.factum.framework;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.WrongExpectedVersionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

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

    /** Waits between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Pause {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final EventStore store;
    private final Decider<C, S, E> decider;
    private final EventCodec<E> codec;
    private final Function<? super C, String> streamOf;
    private final RetryPolicy retry;
    private final Supplier<? extends RandomGenerator> random;
    private final Pause pause;

    private StreamCommandHandler(Builder<C, S, E> b) {
        this.store = b.store;
        this.decider = b.decider;
        this.codec = b.codec;
        this.streamOf = b.streamOf;
        this.retry = b.retry;
        this.random = b.random;
        this.pause = b.pause;
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
        WrongExpectedVersionException conflict = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                waitBefore(attempt);
            }
            Loaded<S> loaded = load(stream, firstEventId);
            if (loaded.appliedAt() >= 0) {
                return new CommandResult.AlreadyApplied<>(loaded.appliedAt());
            }
            Decision<E> decision = decider.decide(envelope.command(), loaded.state());
            if (decision instanceof Decision.Reject<E> reject) {
                return new CommandResult.Rejected<>(reject.error());
            }
            List<E> events = ((Decision.Accept<E>) decision).events();
            if (events.isEmpty()) {
                return new CommandResult.Applied<>(events, loaded.version(), attempt);
            }
            try {
                AppendResult result = store.append(stream, expected(loaded.version()), encode(envelope, events));
                if (!result.written()) {
                    // The store found these very event ids at this version: a delivery that raced us.
                    return new CommandResult.AlreadyApplied<>(result.streamVersion() - events.size() + 1);
                }
                return new CommandResult.Applied<>(events, result.streamVersion(), attempt);
            } catch (WrongExpectedVersionException e) {
                conflict = e;
            }
        }
        throw new RetriesExhaustedException(stream, retry.maxAttempts(), Objects.requireNonNull(conflict));
    }

    /** The state folded from the stream, and the version of the command's first event if stored. */
    private record Loaded<S>(S state, long version, long appliedAt) {}

    private Loaded<S> load(String stream, UUID firstEventId) {
        S state = decider.initialState();
        long version = -1;
        int page = store.limits().maxReadCount();
        long from = 0;
        while (true) {
            ReadStreamResult result = store.readStream(stream, from, Direction.FORWARDS, page);
            if (!(result instanceof ReadStreamResult.Found found)) {
                return new Loaded<>(state, -1, -1);
            }
            for (RecordedEvent event : found.events()) {
                if (event.eventId().equals(firstEventId)) {
                    return new Loaded<>(state, event.version() - 1, event.version());
                }
                state = decider.evolve(state, decode(stream, event));
                version = event.version();
            }
            if (found.endOfStream() || found.events().isEmpty()) {
                return new Loaded<>(state, Math.max(version, found.lastStreamVersion()), -1);
            }
            from = found.events().getLast().version() + 1;
        }
    }

    private E decode(String stream, RecordedEvent event) {
        try {
            return codec.decode(event.type(), event.data());
        } catch (RuntimeException e) {
            throw new UndecodableEventException(stream, event.version(), event.type(), e);
        }
    }

    private List<EventData> encode(CommandEnvelope<C> envelope, List<E> events) {
        byte[] metadata = CommandMetadata.json(envelope);
        ContentType contentType = codec.isJson() ? ContentType.JSON : ContentType.BINARY;
        List<EventData> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            E event = events.get(i);
            out.add(new EventData(
                    CommandMetadata.eventId(envelope.commandId(), i),
                    codec.typeOf(event),
                    codec.encode(event),
                    metadata,
                    contentType));
        }
        return out;
    }

    private static ExpectedVersion expected(long version) {
        return version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
    }

    private void waitBefore(int attempt) {
        try {
            pause.sleep(retry.delayBefore(attempt, random.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException(
                    "interrupted while waiting to decide a command again; nothing of it was written");
            cancelled.initCause(e);
            throw cancelled;
        }
    }

    /** Options of a handler; {@link #build()} makes it. */
    public static final class Builder<C, S, E> {
        private final EventStore store;
        private final Decider<C, S, E> decider;
        private final EventCodec<E> codec;
        private final Function<? super C, String> streamOf;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Supplier<? extends RandomGenerator> random = ThreadLocalRandom::current;
        private Pause pause = d -> Thread.sleep(d);

        private Builder(
                EventStore store, Decider<C, S, E> decider, EventCodec<E> codec, Function<? super C, String> streamOf) {
            this.store = Objects.requireNonNull(store, "store");
            this.decider = Objects.requireNonNull(decider, "decider");
            this.codec = Objects.requireNonNull(codec, "codec");
            this.streamOf = Objects.requireNonNull(streamOf, "streamOf");
        }

        public Builder<C, S, E> retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The source of the retry jitter (default: {@link ThreadLocalRandom}). */
        public Builder<C, S, E> random(Supplier<? extends RandomGenerator> source) {
            this.random = Objects.requireNonNull(source, "source");
            return this;
        }

        /** How the handler waits between attempts (default: {@link Thread#sleep(Duration)}). */
        public Builder<C, S, E> pause(Pause waiter) {
            this.pause = Objects.requireNonNull(waiter, "waiter");
            return this;
        }

        public StreamCommandHandler<C, S, E> build() {
            return new StreamCommandHandler<>(this);
        }
    }
}
