package io.factum.framework;

/**
 * The domain logic of one consistency boundary, as three pure functions: the state before any
 * event, what a command decides given the state, and how an event changes the state. The framework
 * loads the events, folds them with {@link #evolve}, calls {@link #decide} and stores what it
 * decided; the decider itself does no IO, so it is tested without a store ({@link DeciderFixture})
 * and replayed by tools.
 *
 * <p>Implementations must be pure: the same state and command give the same decision, and {@link
 * #evolve} never fails for an event that {@link #decide} produced. The framework may call {@link
 * #decide} more than once for one command (after a concurrent write, it reloads and decides again).
 *
 * @param <C> commands
 * @param <S> state
 * @param <E> events
 */
public interface Decider<C, S, E> {

    S initialState();

    /** The events the command produces in this state, or the domain error that refuses it. */
    Decision<E> decide(C command, S state);

    S evolve(S state, E event);
}
