package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.framework.projection.MemoryProjectionSink;
import io.factum.framework.projection.ProjectionMetrics;
import io.factum.framework.projection.ProjectionRunner;
import io.factum.testkit.memory.InMemoryEventStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spans, trace context in metadata, and meters of the command handler, the bus and projections. */
class TelemetryTest {
    final InMemoryEventStore store = new InMemoryEventStore();
    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        otel.close();
        store.close();
    }

    StreamCommandHandler<Account.Command, Account.State, Account.Event> handler() {
        return StreamCommandHandler.builder(store, new Account.Decide(), new Account.Codec(), Account::stream)
                .name("accounts")
                .telemetry(Telemetry.of(otel, registry))
                .build();
    }

    @Test
    void aCommandIsASpanInsideTheCallersTraceAndItsEventsCarryTheTraceparentOfItsAppend() {
        var handler = handler();
        Span caller = otel.getTracer("test").spanBuilder("http request").startSpan();
        try (Scope scope = caller.makeCurrent()) {
            handler.handle(CommandEnvelope.of(new Account.Open("a")));
        } finally {
            caller.end();
        }

        SpanData command = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("command Open"))
                .findFirst()
                .orElseThrow();
        SpanData append = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("append"))
                .findFirst()
                .orElseThrow();
        assertThat(command.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(append.getParentSpanId()).isEqualTo(command.getSpanId());
        assertThat(command.getAttributes().asMap().toString())
                .contains("factum.outcome=applied", "factum.handler=accounts");

        RecordedEvent stored = ((ReadStreamResult.Found) store.readStream("account-a", 0, Direction.FORWARDS, 1))
                .events()
                .getFirst();
        Map<String, String> context = EventMetadata.traceContext(stored.metadata());
        // The span that wrote them: the append, inside the command.
        assertThat(context.get("traceparent")).startsWith("00-" + append.getTraceId() + "-" + append.getSpanId() + "-");
        assertThat(Span.fromContext(Telemetry.contextOf(context))
                        .getSpanContext()
                        .getSpanId())
                .isEqualTo(append.getSpanId());
    }

    @Test
    void withoutTelemetryEventsCarryNoTraceContext() {
        StreamCommandHandler.builder(store, new Account.Decide(), new Account.Codec(), Account::stream)
                .build()
                .handle(CommandEnvelope.of(new Account.Open("b")));
        RecordedEvent stored = ((ReadStreamResult.Found) store.readStream("account-b", 0, Direction.FORWARDS, 1))
                .events()
                .getFirst();
        assertThat(EventMetadata.traceContext(stored.metadata())).isEmpty();
    }

    @Test
    void commandsAreTimedByOutcome() {
        var handler = handler();
        handler.handle(CommandEnvelope.of(new Account.Open("a")));
        handler.handle(CommandEnvelope.of(new Account.Withdraw("a", 5)));
        handler.handle(CommandEnvelope.of(new Account.Withdraw("a", 6)));

        assertThat(registry.get("factum.command")
                        .tags("handler", "accounts", "outcome", "applied")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("factum.command")
                        .tags("handler", "accounts", "outcome", "rejected")
                        .timer()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void theBusAndProjectionsPublishTheirCounts() throws Exception {
        var handler = handler();
        try (var bus = new CommandBus<Account.Command, CommandResult<Account.Event>>(
                handler::handle, Account.Command::accountId, 2, 100, Duration.ofSeconds(1))) {
            new CommandBusMetrics(bus, "accounts").bindTo(registry);
            bus.send(CommandEnvelope.of(new Account.Open("c"))).get();
            assertThat(registry.get("factum.command.bus.completed")
                            .tags("bus", "accounts")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("factum.command.bus.pending").gauge().value())
                    .isZero();
        }
        long head = store.headPosition();
        var model = new ProjectionRunnerTest.Balances();
        try (var runner = ProjectionRunner.builder(
                        store, "balances", new Account.Codec(), new MemoryProjectionSink<>(model::apply, model::clear))
                .partitions(2)
                .instance("i1")
                .build()
                .start()) {
            new ProjectionMetrics(runner).bindTo(registry);
            assertThat(runner.awaitPosition(head, Duration.ofSeconds(10))).isTrue();
            assertThat(registry.get("factum.projection.lag")
                            .tags("projection", "balances", "instance", "i1")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(registry.get("factum.projection.events")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("factum.projection.partitions").gauge().value())
                    .isEqualTo(2);
        }
        assertThat(List.of(head)).isNotEmpty();
    }

    @Test
    void aTracedProjectionHandlerContinuesTheTraceOfTheCommandThatWroteTheEvent() throws Exception {
        handler().handle(CommandEnvelope.of(new Account.Open("d")));
        long head = store.headPosition();
        var model = new ProjectionRunnerTest.Balances();
        var traced = io.factum.framework.projection.ProjectionTracing.traced(
                Telemetry.of(otel, null), "balances", (io.factum.framework.projection.EventHandler<Account.Event>)
                        model::apply);
        try (var runner = ProjectionRunner.builder(
                        store, "balances", new Account.Codec(), new MemoryProjectionSink<>(traced, model::clear))
                .build()
                .start()) {
            assertThat(runner.awaitPosition(head, Duration.ofSeconds(10))).isTrue();
        }
        SpanData append = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("append"))
                .findFirst()
                .orElseThrow();
        SpanData project = spans.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("project balances"))
                .findFirst()
                .orElseThrow();
        assertThat(project.getTraceId()).isEqualTo(append.getTraceId());
        assertThat(project.getParentSpanId()).isEqualTo(append.getSpanId());
        assertThat(project.getAttributes().asMap().toString()).contains("factum.stream=account-d");
    }
}
