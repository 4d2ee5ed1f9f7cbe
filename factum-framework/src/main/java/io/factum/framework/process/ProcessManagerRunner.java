package io.factum.framework.process;

import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.WrongExpectedVersionException;
import io.factum.framework.CommandEnvelope;
import io.factum.framework.CommandResult;
import io.factum.framework.EventCodec;
import io.factum.framework.EventMetadata;
import io.factum.framework.SnapshotCodec;
import io.factum.framework.Telemetry;
import io.factum.framework.projection.EventEnvelope;
import io.factum.framework.projection.ProjectionRunner;
import io.factum.framework.projection.ProjectionTracing;
import io.factum.framework.projection.StoreCheckpointSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link ProcessManager}: hands it the events of its processes (read from {@code $all} by
 * a projection with checkpoints in the store), stores each reaction as a step of the process's
 * stream, sends the reaction's commands, and fires its deadlines.
 *
 * <p><b>Effect of once.</b> Each step records the input it handled; an input delivered again
 * (after a crash, a redelivery, another instance firing the same deadline) is recognised and
 * only the commands of its step are sent again. Those commands have ids derived from the step,
 * so the command handlers apply each once ({@link CommandResult.AlreadyApplied}). A step is
 * appended with the version the process was loaded at; two inputs of one process handled at once
 * (from different partitions) are decided one after the other.
 *
 * <p><b>Compensation.</b> A command that is refused ({@link CommandResult.Rejected}) is given
 * back to the process through {@link ProcessManager#onRejected}, as an input of its own.
 *
 * <p><b>Deadlines</b> are written to the store before the step that schedules them, and fire
 * from there after a restart, on whichever instance sees them due first.
 */
public final class ProcessManagerRunner<E, S, C> implements AutoCloseable {
    private final String name;
    private final ProcessManager<E, S, C> manager;
    private final SnapshotCodec<S> states;
    private final EventCodec<C> commands;
    private final Function<CommandEnvelope<C>, CommandResult<?>> gateway;
    private final Clock clock;
    private final ProcessStore processes;
    private final DeadlineBook deadlines;
    private final ProjectionRunner<E> events;
    private final Duration deadlinePoll;
    private final Telemetry telemetry;
    private final System.Logger log = System.getLogger(ProcessManagerRunner.class.getName());
    private volatile boolean closed;
    private @Nullable Thread timer;

    private ProcessManagerRunner(Builder<E, S, C> b) {
        this.name = b.name;
        this.manager = b.manager;
        this.states = b.states;
        this.commands = b.commands;
        this.gateway = b.gateway;
        this.clock = b.clock;
        this.deadlinePoll = b.deadlinePoll;
        this.telemetry = b.telemetry;
        this.processes = new ProcessStore(b.store, b.name);
        this.deadlines = new DeadlineBook(b.store, b.name);
        ProjectionRunner.Builder<E> runner = ProjectionRunner.builder(
                        b.store,
                        "process-" + b.name,
                        b.events,
                        new StoreCheckpointSink<E>(b.store, this::onEvent, () -> {}))
                .partitions(b.partitions)
                .instance(b.instance)
                .filter(b.filter);
        if (b.leases != null) {
            runner.leases(b.leases);
        }
        this.events = runner.build();
    }

    /**
     * @param states how a process's state is stored in its steps (its schema version is not
     *     used: steps are read whatever it says)
     * @param commands how the commands it sends are stored in its steps (to send them again)
     * @param gateway sends a command and returns what became of it, for example a command
     *     handler's {@code handle} or a command bus
     */
    public static <E, S, C> Builder<E, S, C> builder(
            EventStore store,
            String name,
            ProcessManager<E, S, C> manager,
            EventCodec<E> events,
            SnapshotCodec<S> states,
            EventCodec<C> commands,
            Function<CommandEnvelope<C>, CommandResult<?>> gateway) {
        return new Builder<>(store, name, manager, events, states, commands, gateway);
    }

    public ProcessManagerRunner<E, S, C> start() throws Exception {
        events.start();
        timer = Thread.ofPlatform()
                .daemon()
                .name("process-" + name + "-deadlines")
                .start(this::fireLoop);
        return this;
    }

    /** The events' reader, for awaiting positions, status and metrics. */
    public ProjectionRunner<E> events() {
        return events;
    }

    /** A process as stored: its state, pending deadlines, and whether it finished. */
    public record View<S>(S state, Map<String, Deadline> pending, boolean done, long version) {}

    public Optional<View<S>> process(String id) {
        ProcessStore.Latest latest = processes.latest(id);
        if (latest.step() == null) {
            return Optional.empty();
        }
        ProcessStep step = latest.step();
        return Optional.of(new View<>(states.decode(step.state()), step.pending(), step.done(), latest.version()));
    }

    private void onEvent(EventEnvelope<E> e) {
        EventInfo info = new EventInfo(
                e.stream(),
                e.version(),
                e.recorded().eventId(),
                EventMetadata.correlationId(e.recorded().metadata()),
                clock.instant());
        String process = manager.processOf(e.event(), info);
        if (process == null || process.isBlank()) {
            return;
        }
        // The commands it sends start their spans inside this one: one trace from the event on.
        Span span = ProjectionTracing.start(telemetry, "process " + name, e);
        span.setAttribute("factum.process.id", process);
        try (Scope scope = span.makeCurrent()) {
            handle(process, "event:" + e.recorded().eventId(), (state, pending) -> manager.on(state, e.event(), info));
        } catch (RuntimeException ex) {
            span.recordException(ex);
            throw ex;
        } finally {
            span.end();
        }
    }

    /**
     * Handles one input of a process: loads it, reacts, stores the step, sends its commands; or,
     * when the input was handled before, sends that step's commands again.
     *
     * @param react the reaction to the input, given the state and the pending deadlines; null
     *     when the input no longer concerns the process
     */
    private void handle(
            String process, String input, BiFunction<S, Map<String, Deadline>, @Nullable Reaction<S, C>> react) {
        for (int attempt = 1; ; attempt++) {
            ProcessStore.Latest latest = processes.latest(process);
            ProcessStep last = latest.step();
            if (last != null && last.handled().contains(input)) {
                ProcessStep step = input.equals(last.input()) ? last : processes.find(process, input);
                if (step != null) {
                    send(process, step);
                }
                return;
            }
            if (last != null && last.done()) {
                return;
            }
            S state = last == null ? manager.initialState() : states.decode(last.state());
            Reaction<S, C> reaction = react.apply(state, last == null ? Map.of() : last.pending());
            if (reaction == null || (last == null && unchanged(state, reaction))) {
                return; // an event that starts nothing leaves no process behind
            }
            ProcessStep step = step(process, input, last, reaction);
            reaction.schedule().forEach(d -> deadlines.scheduled(process, d));
            try {
                processes.append(process, step, latest.version(), process);
            } catch (WrongExpectedVersionException e) {
                if (attempt >= 50) {
                    throw e;
                }
                continue; // another input of the process came first: react again on the new state
            }
            send(process, step);
            closeCancelled(process, last, step);
            return;
        }
    }

    private static boolean unchanged(Object state, Reaction<?, ?> reaction) {
        return reaction.state().equals(state)
                && reaction.commands().isEmpty()
                && reaction.schedule().isEmpty()
                && !reaction.done();
    }

    private ProcessStep step(String process, String input, @Nullable ProcessStep last, Reaction<S, C> reaction) {
        Map<String, Deadline> pending = new LinkedHashMap<>(last == null ? Map.of() : last.pending());
        reaction.cancel().forEach(pending::remove);
        reaction.schedule().forEach(d -> pending.put(d.id(), d));
        if (reaction.done()) {
            pending.clear();
        }
        Set<String> handled = new LinkedHashSet<>(last == null ? Set.of() : last.handled());
        handled.add(input);
        while (handled.size() > ProcessStep.HANDLED_KEPT) {
            handled.remove(handled.iterator().next());
        }
        List<ProcessStep.Sent> sent = new ArrayList<>();
        for (int i = 0; i < reaction.commands().size(); i++) {
            C command = reaction.commands().get(i);
            UUID id = UUID.nameUUIDFromBytes(
                    (name + "/" + process + "/" + input + "/" + i).getBytes(StandardCharsets.UTF_8));
            sent.add(new ProcessStep.Sent(id, commands.typeOf(command), commands.encode(command), commands.isJson()));
        }
        return new ProcessStep(
                input, states.encode(reaction.state()), states.isJson(), sent, pending, handled, reaction.done());
    }

    /** Sends a step's commands; a refused one goes back to the process as an input. */
    private void send(String process, ProcessStep step) {
        for (ProcessStep.Sent sent : step.commands()) {
            C command = commands.decode(sent.type(), sent.data());
            CommandResult<?> result = gateway.apply(new CommandEnvelope<>(sent.commandId(), command, process));
            if (result instanceof CommandResult.Rejected<?> rejected) {
                handle(
                        process,
                        "rejected:" + sent.commandId(),
                        (state, pending) -> manager.onRejected(state, command, rejected.error()));
            }
        }
    }

    private void closeCancelled(String process, @Nullable ProcessStep before, ProcessStep after) {
        if (before == null) {
            return;
        }
        for (Deadline d : before.pending().values()) {
            Deadline still = after.pending().get(d.id());
            if (still == null || !still.due().equals(d.due())) {
                try {
                    deadlines.closed(new DeadlineBook.Entry(process, d), "$cancelled");
                } catch (RuntimeException e) {
                    // the step already says it is not pending: firing it later does nothing
                }
            }
        }
    }

    private void fireLoop() {
        while (!closed) {
            try {
                Instant now = clock.instant();
                for (DeadlineBook.Entry entry : deadlines.refresh()) {
                    if (entry.deadline().due().isAfter(now) || closed) {
                        break;
                    }
                    fire(entry, now);
                }
            } catch (IOException | RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "process manager " + name + ": deadlines failed; trying again", e);
            }
            try {
                Thread.sleep(deadlinePoll.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void fire(DeadlineBook.Entry entry, Instant now) {
        Deadline d = entry.deadline();
        handle(entry.process(), "deadline:" + d.id() + "@" + d.due(), (state, pending) -> {
            Deadline still = pending.get(d.id());
            return still != null && still.due().equals(d.due()) ? manager.onDeadline(state, d, now) : null;
        });
        deadlines.closed(entry, "$fired");
    }

    @Override
    public void close() {
        closed = true;
        events.close();
        Thread t = timer;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Options of a runner; {@link #build()} makes it. */
    public static final class Builder<E, S, C> {
        private final EventStore store;
        private final String name;
        private final ProcessManager<E, S, C> manager;
        private final EventCodec<E> events;
        private final SnapshotCodec<S> states;
        private final EventCodec<C> commands;
        private final Function<CommandEnvelope<C>, CommandResult<?>> gateway;
        private Clock clock = Clock.systemUTC();
        private int partitions = 4;
        private String instance = UUID.randomUUID().toString();
        private EventFilter filter = EventFilter.none();
        private @Nullable Duration leases;
        private Duration deadlinePoll = Duration.ofMillis(200);
        private Telemetry telemetry = Telemetry.none();

        private Builder(
                EventStore store,
                String name,
                ProcessManager<E, S, C> manager,
                EventCodec<E> events,
                SnapshotCodec<S> states,
                EventCodec<C> commands,
                Function<CommandEnvelope<C>, CommandResult<?>> gateway) {
            this.store = Objects.requireNonNull(store, "store");
            this.name = Objects.requireNonNull(name, "name");
            this.manager = Objects.requireNonNull(manager, "manager");
            this.events = Objects.requireNonNull(events, "events");
            this.states = Objects.requireNonNull(states, "states");
            this.commands = Objects.requireNonNull(commands, "commands");
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            if (name.isBlank() || name.startsWith("$")) {
                throw new IllegalArgumentException(
                        "a process manager name must not be blank or start with $: '" + name + "'");
            }
        }

        /** The clock deadlines are judged by and {@link EventInfo#now()} reads (default: system UTC). */
        public Builder<E, S, C> clock(Clock wallClock) {
            this.clock = Objects.requireNonNull(wallClock, "wallClock");
            return this;
        }

        public Builder<E, S, C> partitions(int count) {
            this.partitions = count;
            return this;
        }

        public Builder<E, S, C> instance(String id) {
            this.instance = Objects.requireNonNull(id, "id");
            return this;
        }

        /** Which events the store sends (see {@link ProjectionRunner.Builder#filter}). */
        public Builder<E, S, C> filter(EventFilter storeSide) {
            this.filter = Objects.requireNonNull(storeSide, "storeSide");
            return this;
        }

        /** Shares the event partitions with other instances (see {@link ProjectionRunner.Builder#leases}). */
        public Builder<E, S, C> leases(Duration timeout) {
            this.leases = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How often the deadlines are looked at (default 200 ms): how late one may fire. */
        public Builder<E, S, C> deadlinePoll(Duration interval) {
            this.deadlinePoll = Objects.requireNonNull(interval, "interval");
            return this;
        }

        /**
         * Spans (default: none): each event handled is a span {@code project process <name>}
         * continuing the trace the event carries, and the commands sent start theirs inside it.
         */
        public Builder<E, S, C> telemetry(Telemetry reporting) {
            this.telemetry = Objects.requireNonNull(reporting, "reporting");
            return this;
        }

        public ProcessManagerRunner<E, S, C> build() {
            return new ProcessManagerRunner<>(this);
        }
    }
}
