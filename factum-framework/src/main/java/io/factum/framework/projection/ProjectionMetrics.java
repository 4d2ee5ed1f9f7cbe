package io.factum.framework.projection;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes a running projection through Micrometer, tagged {@code projection} and {@code
 * instance}: {@code factum.projection.lag} (positions between the store's head and the lowest
 * position this instance's partitions have applied), {@code factum.projection.position}, {@code
 * factum.projection.events} (applied by this instance), {@code factum.projection.partitions}
 * (running here), {@code factum.projection.parked.streams} and {@code factum.projection.queued}.
 */
public final class ProjectionMetrics implements MeterBinder {
    private final ProjectionRunner<?> runner;

    public ProjectionMetrics(ProjectionRunner<?> runner) {
        this.runner = Objects.requireNonNull(runner, "runner");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("projection", runner.name(), "instance", runner.instance());
        Gauge.builder("factum.projection.lag", runner, r -> r.progress().lag())
                .description("positions between the head of the store and what this instance has applied")
                .tags(tags)
                .register(registry);
        Gauge.builder("factum.projection.position", runner, r -> r.progress().processedThrough())
                .description("the lowest position every running partition has applied")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder(
                        "factum.projection.events", runner, r -> r.progress().handled())
                .description("events applied by this instance")
                .tags(tags)
                .register(registry);
        Gauge.builder("factum.projection.partitions", runner, r -> count(r, Field.RUNNING))
                .description("partitions running on this instance")
                .tags(tags)
                .register(registry);
        Gauge.builder("factum.projection.parked.streams", runner, r -> count(r, Field.PARKED))
                .description("streams waiting in the dead-letter queue, on this instance's partitions")
                .tags(tags)
                .register(registry);
        Gauge.builder("factum.projection.queued", runner, r -> count(r, Field.QUEUED))
                .description("events read and waiting to be applied")
                .tags(tags)
                .register(registry);
    }

    private enum Field {
        RUNNING,
        PARKED,
        QUEUED
    }

    private static double count(ProjectionRunner<?> runner, Field field) {
        long sum = 0;
        for (PartitionStatus p : runner.localStatus()) {
            sum += switch (field) {
                case RUNNING -> 1;
                case PARKED -> p.parkedStreams();
                case QUEUED -> p.queued();
            };
        }
        return sum;
    }
}
