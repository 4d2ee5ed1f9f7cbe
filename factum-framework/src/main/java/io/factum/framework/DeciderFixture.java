package io.factum.framework;

import java.util.List;
import java.util.Objects;

/**
 * Tests of a {@link Decider} in the words of the domain, without a store:
 *
 * <pre>{@code
 * DeciderFixture.of(new AccountDecider())
 *         .given(new Opened("a-1"), new Deposited(100))
 *         .when(new Withdraw(30))
 *         .then(new Withdrawn(30));
 * }</pre>
 *
 * Each {@code then...} throws an {@link AssertionError} that shows the given events, the command,
 * what was expected and what the decider decided. Events and errors are compared with {@code
 * equals}, so records compare by value. Immutable and thread-safe if the decider is.
 */
public final class DeciderFixture<C, S, E> {
    private final Decider<C, S, E> decider;

    private DeciderFixture(Decider<C, S, E> decider) {
        this.decider = Objects.requireNonNull(decider, "decider");
    }

    public static <C, S, E> DeciderFixture<C, S, E> of(Decider<C, S, E> decider) {
        return new DeciderFixture<>(decider);
    }

    /** The history: events already stored, folded into the state in this order. */
    @SafeVarargs
    public final Given given(E... events) {
        return given(List.of(events));
    }

    public Given given(List<E> events) {
        return new Given(List.copyOf(events));
    }

    /** The history, folded. */
    public final class Given {
        private final List<E> history;

        private Given(List<E> history) {
            this.history = history;
        }

        public When when(C command) {
            S state = decider.initialState();
            for (E event : history) {
                state = decider.evolve(state, event);
            }
            return new When(history, command, decider.decide(command, state));
        }
    }

    /** What the decider decided for the command; the assertions. */
    public final class When {
        private final List<E> history;
        private final C command;
        private final Decision<E> decision;

        private When(List<E> history, C command, Decision<E> decision) {
            this.history = history;
            this.command = command;
            this.decision = decision;
        }

        /** Asserts that the command is accepted with exactly these events, in this order. */
        @SafeVarargs
        public final When then(E... expected) {
            List<E> want = List.of(expected);
            if (!(decision instanceof Decision.Accept<E> accept)
                    || !accept.events().equals(want)) {
                throw failure("events " + want);
            }
            return this;
        }

        /** Asserts that the command is accepted and changes nothing. */
        public When thenNothing() {
            return then();
        }

        /** Asserts that the command is refused with this error. */
        public When thenError(DomainError expected) {
            if (!(decision instanceof Decision.Reject<E> reject)
                    || !reject.error().equals(expected)) {
                throw failure("error " + expected);
            }
            return this;
        }

        /** Asserts that the command is refused with an error of this type. */
        public When thenError(Class<? extends DomainError> expected) {
            if (!(decision instanceof Decision.Reject<E> reject) || !expected.isInstance(reject.error())) {
                throw failure("an error of type " + expected.getSimpleName());
            }
            return this;
        }

        /** The decision itself, for assertions the methods above do not make. */
        public Decision<E> decision() {
            return decision;
        }

        private AssertionError failure(String expected) {
            String actual =
                    switch (decision) {
                        case Decision.Accept<E> a -> "events " + a.events();
                        case Decision.Reject<E> r -> "error " + r.error();
                    };
            return new AssertionError("given " + history + "\nwhen " + command + "\nexpected " + expected
                    + "\nbut the decider decided " + actual);
        }
    }
}
