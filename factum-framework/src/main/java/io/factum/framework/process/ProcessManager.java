package io.factum.framework.process;

import io.factum.framework.DomainError;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The logic of a long-running business process, as pure functions, like a decider's: which
 * process an event belongs to, and how the process reacts to events, deadlines and refused
 * commands. No IO: the {@link ProcessManagerRunner} loads and stores the process, sends the
 * commands and keeps the deadlines.
 *
 * @param <E> events it reacts to
 * @param <S> a process's state
 * @param <C> commands it sends
 */
public interface ProcessManager<E, S, C> {

    /**
     * The id of the process {@code event} belongs to, or null when it concerns none. By default
     * the event's {@code $correlationId} (commands a process sends carry its id as theirs, so
     * the events they cause come back to it); a process started by an event names its own id.
     */
    default @Nullable String processOf(E event, EventInfo info) {
        return info.correlationId().isEmpty() ? null : info.correlationId();
    }

    S initialState();

    /** How the process reacts to an event of its own. */
    Reaction<S, C> on(S state, E event, EventInfo info);

    /** How it reacts when a deadline it scheduled is due (default: not at all). */
    default Reaction<S, C> onDeadline(S state, Deadline deadline, Instant now) {
        return reaction(state);
    }

    /**
     * How it reacts when a command it sent was refused (default: not at all): the place for
     * compensation.
     */
    default Reaction<S, C> onRejected(S state, C command, DomainError error) {
        return reaction(state);
    }

    /** A reaction that changes the state to {@code state} and does nothing else yet. */
    default Reaction<S, C> reaction(S state) {
        return Reaction.of(state);
    }
}
