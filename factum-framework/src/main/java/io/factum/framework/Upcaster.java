package io.factum.framework;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Lifts stored events of an old schema version on read, one step: the registry chains steps
 * until the current version. Registered through {@link EventTypes.Builder} (which keeps type
 * renames apart: they apply to every version).
 */
sealed interface Upcaster {

    /** The versions this step may produce, for the start-up check. */
    Set<TypeVersion> targets();

    /** {@code from} to the next version of the same type, one event to one. */
    record OneToOne(TypeVersion from, UnaryOperator<ObjectNode> change) implements Upcaster {
        public OneToOne {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(change, "change");
        }

        @Override
        public Set<TypeVersion> targets() {
            return Set.of(new TypeVersion(from.type(), from.version() + 1));
        }
    }

    /** {@code from} to several events, each of one of the declared {@code targets}. */
    record OneToMany(TypeVersion from, Set<TypeVersion> targets, Function<ObjectNode, List<Upcasted>> split)
            implements Upcaster {
        public OneToMany {
            Objects.requireNonNull(from, "from");
            targets = Set.copyOf(targets);
            Objects.requireNonNull(split, "split");
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("a split of " + from + " must declare what it produces");
            }
        }
    }
}
