package io.factum.framework;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of handling one command.
 *
 * @param <E> events
 */
public sealed interface CommandResult<E>
        permits CommandResult.Applied, CommandResult.AlreadyApplied, CommandResult.Rejected {

    /**
     * The command was decided and its events stored (none when it changed nothing).
     *
     * @param streamVersion the stream's version after the append (-1: the stream does not exist)
     * @param position the {@code $all} position of the last event stored (-1: none was), what
     *     a caller waits for on a read model to read its own write
     * @param attempts how many times it was decided (more than 1 after concurrent writes)
     */
    record Applied<E>(List<E> events, long streamVersion, long position, int attempts) implements CommandResult<E> {
        public Applied {
            events = List.copyOf(events);
        }
    }

    /**
     * An earlier delivery of the same command id was stored already: nothing was written again.
     *
     * @param firstEventVersion the stream version of the first event that delivery stored
     */
    record AlreadyApplied<E>(long firstEventVersion) implements CommandResult<E> {}

    /** The decider refused the command; nothing was written. */
    record Rejected<E>(DomainError error) implements CommandResult<E> {
        public Rejected {
            Objects.requireNonNull(error, "error");
        }
    }
}
