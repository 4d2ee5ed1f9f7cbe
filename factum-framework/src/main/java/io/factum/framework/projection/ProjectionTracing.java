package io.factum.framework.projection;

import io.factum.framework.EventMetadata;
import io.factum.framework.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Handlers wrapped in a span each, {@code project <projection>}, continuing the trace of the
 * command that wrote the event (from the W3C trace context in its metadata), so a trace shows the
 * command, its append and every read model it reached.
 */
public final class ProjectionTracing {
    private ProjectionTracing() {}

    public static <E> EventHandler<E> traced(Telemetry telemetry, String projection, EventHandler<E> handler) {
        return event -> {
            Span span = start(telemetry, projection, event);
            try (Scope scope = span.makeCurrent()) {
                handler.handle(event);
            } catch (Exception e) {
                fail(span, e);
                throw e;
            } finally {
                span.end();
            }
        };
    }

    public static <E> JdbcEventHandler<E> traced(Telemetry telemetry, String projection, JdbcEventHandler<E> handler) {
        return (transaction, event) -> {
            Span span = start(telemetry, projection, event);
            try (Scope scope = span.makeCurrent()) {
                handler.handle(transaction, event);
            } catch (Exception e) {
                fail(span, e);
                throw e;
            } finally {
                span.end();
            }
        };
    }

    /** A span whose parent is the trace context the event carries (a new trace when none). */
    public static Span start(Telemetry telemetry, String what, EventEnvelope<?> event) {
        Context parent =
                Telemetry.contextOf(EventMetadata.traceContext(event.recorded().metadata()));
        return telemetry
                .tracer()
                .spanBuilder("project " + what)
                .setParent(parent)
                .setAttribute("factum.stream", event.stream())
                .setAttribute("factum.position", event.position())
                .setAttribute("factum.event.type", event.recorded().type())
                .startSpan();
    }

    private static void fail(Span span, Exception e) {
        span.recordException(e);
        span.setStatus(StatusCode.ERROR);
    }
}
