package io.factum.framework;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a handler reports what it does: OpenTelemetry spans (through the OpenTelemetry API only,
 * so the application picks the exporter; a no-op unless it configures one) and Micrometer meters
 * (only when given a registry). Also carries trace context across the store as W3C {@code
 * traceparent}/{@code tracestate} in event metadata.
 */
public final class Telemetry {
    /** The instrumentation scope name of every span the framework starts. */
    public static final String SCOPE = "io.factum.framework";

    private final Tracer tracer;
    private final @Nullable MeterRegistry registry;
    private final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    private Telemetry(OpenTelemetry openTelemetry, @Nullable MeterRegistry registry) {
        this.tracer = openTelemetry.getTracer(SCOPE);
        this.registry = registry;
    }

    /** No spans, no meters (spans still carry a caller's trace context along). */
    public static Telemetry none() {
        return new Telemetry(OpenTelemetry.noop(), null);
    }

    public static Telemetry of(OpenTelemetry openTelemetry, @Nullable MeterRegistry registry) {
        return new Telemetry(Objects.requireNonNull(openTelemetry, "openTelemetry"), registry);
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Records a duration on {@code name} with the given tags (key, value, key, value...). */
    public void time(String name, Duration duration, String... tags) {
        if (registry == null) {
            return;
        }
        String key = name + String.join("\u0000", tags);
        timers.computeIfAbsent(key, k -> Timer.builder(name).tags(tags).register(registry))
                .record(duration);
    }

    /** Counts one on {@code name} with the given tags. */
    public void count(String name, String... tags) {
        if (registry != null) {
            Counter.builder(name).tags(tags).register(registry).increment();
        }
    }

    /** The W3C trace context of {@code span}, as metadata keys; empty when it has none. */
    public static Map<String, String> traceContext(Span span) {
        Map<String, String> carrier = new HashMap<>(2);
        if (span.getSpanContext().isValid()) {
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), carrier, Map::put);
        }
        return carrier;
    }

    /** The context whose parent is the trace context a stored event's metadata carries (if any). */
    public static Context contextOf(Map<String, String> metadata) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), metadata, MapGetter.INSTANCE);
    }

    private enum MapGetter implements TextMapGetter<Map<String, String>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }
}
