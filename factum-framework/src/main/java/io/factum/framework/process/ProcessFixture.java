package io.factum.framework.process;

import io.factum.framework.DomainError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Tests of a {@link ProcessManager} without a store: given the events it has seen, when one more
 * arrives (or a deadline is due, or a command is refused), then these commands and deadlines.
 *
 * <pre>{@code
 * ProcessFixture.of(new TransferProcess())
 *         .given(new TransferRequested("t1", "a", "b", 30))
 *         .when(new Withdrawn(30), "account-a")
 *         .thenCommands(new Deposit("b", 30));
 * }</pre>
 *
 * Events are given with the stream they come from (optional) and the correlation id "process";
 * the clock stands at {@link #NOW} unless {@link #at(Instant)} moves it.
 */
public final class ProcessFixture<E, S, C> {
    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final ProcessManager<E, S, C> manager;
    private final Instant now;

    private ProcessFixture(ProcessManager<E, S, C> manager, Instant now) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.now = now;
    }

    public static <E, S, C> ProcessFixture<E, S, C> of(ProcessManager<E, S, C> manager) {
        return new ProcessFixture<>(manager, NOW);
    }

    public ProcessFixture<E, S, C> at(Instant clock) {
        return new ProcessFixture<>(manager, clock);
    }

    private EventInfo info(String stream) {
        return new EventInfo(stream, 0, UUID.randomUUID(), "process", now);
    }

    /** The events the process reacted to so far, from an unnamed stream. */
    @SafeVarargs
    public final Given given(E... events) {
        S state = manager.initialState();
        for (E event : events) {
            state = manager.on(state, event, info("given")).state();
        }
        return new Given(state, List.of(events));
    }

    /** What the process has seen; the next input. */
    public final class Given {
        private final S state;
        private final List<E> history;

        private Given(S state, List<E> history) {
            this.state = state;
            this.history = history;
        }

        public Then when(E event) {
            return when(event, "when");
        }

        public Then when(E event, String stream) {
            return new Then("event " + event + " from " + stream, manager.on(state, event, info(stream)));
        }

        public Then whenDeadline(Deadline deadline) {
            return new Then("deadline " + deadline, manager.onDeadline(state, deadline, now));
        }

        public Then whenRejected(C command, DomainError error) {
            return new Then(
                    "refusal of " + command + ": " + error.message(), manager.onRejected(state, command, error));
        }

        /** The reaction, with the assertions. */
        public final class Then {
            private final String input;
            private final Reaction<S, C> reaction;

            private Then(String input, Reaction<S, C> reaction) {
                this.input = input;
                this.reaction = reaction;
            }

            public Reaction<S, C> reaction() {
                return reaction;
            }

            @SafeVarargs
            public final Then thenCommands(C... expected) {
                return check(
                        "commands " + List.of(expected), reaction.commands().equals(List.of(expected)));
            }

            public Then thenNoCommands() {
                return check("no commands", reaction.commands().isEmpty());
            }

            public Then thenScheduled(Deadline... expected) {
                return check(
                        "deadlines " + List.of(expected), reaction.schedule().equals(List.of(expected)));
            }

            public Then thenCancelled(String... ids) {
                return check("cancelled " + List.of(ids), reaction.cancel().equals(java.util.Set.of(ids)));
            }

            public Then thenState(S expected) {
                return check("state " + expected, reaction.state().equals(expected));
            }

            public Then thenFinished() {
                return check("the process finished", reaction.done());
            }

            private Then check(String expected, boolean ok) {
                if (!ok) {
                    List<String> lines = new ArrayList<>();
                    lines.add("given " + history);
                    lines.add("when " + input);
                    lines.add("expected " + expected);
                    lines.add("but the process reacted with state " + reaction.state() + ", commands "
                            + reaction.commands() + ", scheduled " + reaction.schedule() + ", cancelled "
                            + reaction.cancel() + (reaction.done() ? ", finished" : ""));
                    throw new AssertionError(String.join("\n  ", lines));
                }
                return this;
            }
        }
    }
}
