package io.factum.framework;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes a {@link CommandBus}'s counts through Micrometer, tagged {@code bus=<name>}: {@code
 * factum.command.bus.sent}, {@code .completed}, {@code .failed}, {@code .refused} (counters) and
 * {@code factum.command.bus.pending} (a gauge). Read from the bus's own {@link CommandBus#stats()}
 * when the registry asks, so the bus pays nothing per command.
 */
public final class CommandBusMetrics implements MeterBinder {
    private final CommandBus<?, ?> bus;
    private final String name;

    public CommandBusMetrics(CommandBus<?, ?> bus, String name) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("bus", name);
        counter(registry, "sent", "commands sent to the bus", tags, s -> s.sent());
        counter(registry, "completed", "commands whose handler returned", tags, s -> s.completed());
        counter(registry, "failed", "commands whose handler threw", tags, s -> s.failed());
        counter(registry, "refused", "sends refused because the bus was full", tags, s -> s.refused());
        Gauge.builder("factum.command.bus.pending", bus, b -> b.stats().pending())
                .description("commands sent and not finished")
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry,
            String what,
            String description,
            Tags tags,
            java.util.function.ToLongFunction<CommandBus.Stats> count) {
        FunctionCounter.builder("factum.command.bus." + what, bus, b -> count.applyAsLong(b.stats()))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
