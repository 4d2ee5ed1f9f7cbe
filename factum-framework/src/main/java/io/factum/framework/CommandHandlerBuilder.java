package io.factum.framework;

import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

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

    <E> CommandSupport<E> support(EventCodec<E> codec) {
        return new CommandSupport<>(codec, retry, random, pause);
    }
}
