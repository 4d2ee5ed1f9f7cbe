package io.factum.framework;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * What the command handlers share: turning decided events into stored ones (ids from the command
 * id, correlation metadata, tags), reading stored ones back, and waiting between attempts.
 * Immutable and thread-safe.
 */
final class CommandSupport<E> {
    private final EventCodec<E> codec;
    private final RetryPolicy retry;
    private final Supplier<? extends RandomGenerator> random;
    private final Pause pause;

    CommandSupport(EventCodec<E> codec, RetryPolicy retry, Supplier<? extends RandomGenerator> random, Pause pause) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.random = Objects.requireNonNull(random, "random");
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    RetryPolicy retry() {
        return retry;
    }

    /** The events as stored events of the command, each with the tags {@code tagsOf} gives it. */
    List<EventData> encode(CommandEnvelope<?> envelope, List<E> events, Function<? super E, List<String>> tagsOf) {
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
                    contentType,
                    tagsOf.apply(event)));
        }
        return out;
    }

    E decode(RecordedEvent event) {
        try {
            return codec.decode(event.type(), event.data());
        } catch (RuntimeException e) {
            throw new UndecodableEventException(event.stream(), event.version(), event.type(), e);
        }
    }

    /** Waits before attempt {@code attempt}; an interrupt cancels the command. */
    void waitBefore(int attempt) {
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
}
