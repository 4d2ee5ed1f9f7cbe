package io.factum.framework;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Decider} decided: the events to store (possibly none: the command changes nothing),
 * or the domain error that refuses the command.
 *
 * @param <E> events
 */
public sealed interface Decision<E> permits Decision.Accept, Decision.Reject {

    /** The events to store, in order; empty when the command is accepted and changes nothing. */
    record Accept<E>(List<E> events) implements Decision<E> {
        public Accept {
            events = List.copyOf(events);
        }
    }

    record Reject<E>(DomainError error) implements Decision<E> {
        public Reject {
            Objects.requireNonNull(error, "error");
        }
    }

    @SafeVarargs
    static <E> Decision<E> accept(E... events) {
        return new Accept<>(List.of(events));
    }

    static <E> Decision<E> accept(List<E> events) {
        return new Accept<>(events);
    }

    static <E> Decision<E> reject(DomainError error) {
        return new Reject<>(error);
    }
}
