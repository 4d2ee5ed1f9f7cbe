package io.factum.framework;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The options every command handler takes: how often it decides again after a conflict and how
 * it waits in between.
 *
 * @param <B> the concrete builder, returned by every option for chaining
 */
public abstract class CommandHandlerBuilder<B extends CommandHandlerBuilder<B>> {
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private Supplier<? extends RandomGenerator> random = ThreadLocalRandom::current;
    private Pause pause = Pause.sleeping();
    private Telemetry telemetry = Telemetry.none();
    private @Nullable String name;

    CommandHandlerBuilder() {}

    abstract B self();

    public B retry(RetryPolicy policy) {
        this.retry = Objects.requireNonNull(policy, "policy");
        return self();
    }

    /** The source of the retry jitter (default: {@link ThreadLocalRandom}). */
    public B random(Supplier<? extends RandomGenerator> source) {
        this.random = Objects.requireNonNull(source, "source");
        return self();
    }

    /** How the handler waits between attempts (default: {@link Pause#sleeping()}). */
    public B pause(Pause waiter) {
        this.pause = Objects.requireNonNull(waiter, "waiter");
        return self();
    }

    /**
     * Spans and meters (default: none). Each command is a span {@code command <Type>} (with an
     * {@code append} span inside), its events carry the span's W3C {@code traceparent}, and the
     * registry gets {@code factum.command} (a timer tagged {@code handler} and {@code outcome})
     * and {@code factum.command.conflicts}.
     */
    public B telemetry(Telemetry reporting) {
        this.telemetry = Objects.requireNonNull(reporting, "reporting");
        return self();
    }

    /** The handler's name in spans and meters (default: the decider's class name). */
    public B name(String handlerName) {
        this.name = Objects.requireNonNull(handlerName, "handlerName");
        return self();
    }

    <E> CommandSupport<E> support(EventCodec<E> codec, Object decider) {
        String named = name != null ? name : decider.getClass().getSimpleName();
        return new CommandSupport<>(codec, retry, random, pause, telemetry, named);
    }
}
