package io.factum.framework;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.time.Duration;
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
    private final Telemetry telemetry;
    private final String name;

    CommandSupport(
            EventCodec<E> codec,
            RetryPolicy retry,
            Supplier<? extends RandomGenerator> random,
            Pause pause,
            Telemetry telemetry,
            String name) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.random = Objects.requireNonNull(random, "random");
        this.pause = Objects.requireNonNull(pause, "pause");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * One attempt's read of a command's consistency boundary.
     *
     * @param state the decider's state folded from what was read
     * @param readAt what the append is conditioned on: the stream version, or the query's head
     * @param unchangedVersion the stream version to report when the command writes nothing (-1:
     *     none)
     * @param appliedAt the version of the command's first event when an earlier delivery stored it
     *     (-1: it did not)
     */
    record Loaded<S>(S state, long readAt, long unchangedVersion, long appliedAt) {}

    /** What a handler does against its boundary on each attempt. */
    interface Boundary<S, E> {
        Loaded<S> load();

        /**
         * Appends the events on the condition of the read; throws the handler's conflict exception
         * when a concurrent write got there first.
         */
        AppendResult append(List<E> events, Loaded<S> loaded);

        /** After {@link #append} stored the events; must not throw (the command is stored). */
        default void appended(List<E> events, AppendResult result) {}
    }

    /**
     * The loop both handlers run: read, decide, append; on a conflict wait, read again and decide
     * again, as the retry policy allows.
     *
     * @param described the boundary in words, for {@link RetriesExhaustedException}
     * @param conflictType what {@link Boundary#append} throws when a concurrent write won
     */
    <C, S> CommandResult<E> handle(
            CommandEnvelope<C> envelope,
            Decider<C, S, E> decider,
            Boundary<S, E> boundary,
            Class<? extends RuntimeException> conflictType,
            String described) {
        Span span = telemetry
                .tracer()
                .spanBuilder("command " + envelope.command().getClass().getSimpleName())
                .setAttribute("factum.handler", name)
                .setAttribute("factum.command.id", envelope.commandId().toString())
                .setAttribute("factum.correlation.id", envelope.correlationId())
                .setAttribute("factum.boundary", described)
                .startSpan();
        long started = System.nanoTime();
        String outcome = "failed";
        try (Scope scope = span.makeCurrent()) {
            CommandResult<E> result = attempts(envelope, decider, boundary, conflictType, described, span);
            outcome = switch (result) {
                case CommandResult.Applied<E> a -> a.events().isEmpty() ? "unchanged" : "applied";
                case CommandResult.AlreadyApplied<E> a -> "already_applied";
                case CommandResult.Rejected<E> r -> "rejected";
            };
            return result;
        } catch (RetriesExhaustedException e) {
            outcome = "retries_exhausted";
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.setAttribute("factum.outcome", outcome);
            span.end();
            telemetry.time(
                    "factum.command",
                    Duration.ofNanos(System.nanoTime() - started),
                    "handler",
                    name,
                    "outcome",
                    outcome);
        }
    }

    private <C, S> CommandResult<E> attempts(
            CommandEnvelope<C> envelope,
            Decider<C, S, E> decider,
            Boundary<S, E> boundary,
            Class<? extends RuntimeException> conflictType,
            String described,
            Span span) {
        RuntimeException conflict = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                waitBefore(attempt);
            }
            Loaded<S> loaded = boundary.load();
            if (loaded.appliedAt() >= 0) {
                return new CommandResult.AlreadyApplied<>(loaded.appliedAt());
            }
            Decision<E> decision = decider.decide(envelope.command(), loaded.state());
            if (decision instanceof Decision.Reject<E> reject) {
                return new CommandResult.Rejected<>(reject.error());
            }
            List<E> events = ((Decision.Accept<E>) decision).events();
            if (events.isEmpty()) {
                return new CommandResult.Applied<>(events, loaded.unchangedVersion(), -1, attempt);
            }
            span.setAttribute("factum.attempts", attempt);
            try {
                AppendResult result = append(boundary, events, loaded);
                if (!result.written()) {
                    // The store found these very event ids written: a delivery that raced this one.
                    return new CommandResult.AlreadyApplied<>(result.streamVersion() - events.size() + 1);
                }
                boundary.appended(events, result);
                return new CommandResult.Applied<>(events, result.streamVersion(), result.position(), attempt);
            } catch (RuntimeException e) {
                if (!conflictType.isInstance(e)) {
                    throw e;
                }
                conflict = e;
                telemetry.count("factum.command.conflicts", "handler", name);
            }
        }
        throw new RetriesExhaustedException(described, retry.maxAttempts(), Objects.requireNonNull(conflict));
    }

    private <S> AppendResult append(Boundary<S, E> boundary, List<E> events, Loaded<S> loaded) {
        Span span = telemetry.tracer().spanBuilder("append").startSpan();
        try (Scope scope = span.makeCurrent()) {
            AppendResult result = boundary.append(events, loaded);
            span.setAttribute("factum.position", result.position());
            return result;
        } catch (RuntimeException e) {
            span.recordException(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** The events as stored events of the command, each with the tags {@code tagsOf} gives it. */
    List<EventData> encode(CommandEnvelope<?> envelope, List<E> events, Function<? super E, List<String>> tagsOf) {
        ContentType contentType = codec.isJson() ? ContentType.JSON : ContentType.BINARY;
        byte[] metadata = null;
        int metadataVersion = 0;
        List<EventData> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            E event = events.get(i);
            int version = codec.schemaVersionOf(event);
            if (metadata == null || version != metadataVersion) {
                metadata = CommandMetadata.json(envelope, version, Telemetry.traceContext(Span.current()));
                metadataVersion = version;
            }
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

    /** The domain events a stored event stands for (several when an upcaster split it). */
    List<E> decode(RecordedEvent event) {
        try {
            return codec.decode(event);
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
