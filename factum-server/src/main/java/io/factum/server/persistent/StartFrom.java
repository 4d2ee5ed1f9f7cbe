package io.factum.server.persistent;

import io.factum.api.InvalidInputException;

/**
 * Where a new group starts when it has no checkpoint yet: a stream revision for stream groups, a
 * position for {@code $all} groups. Inclusive, as in KurrentDB: {@code at(5)} delivers 5 first.
 */
public sealed interface StartFrom permits StartFrom.Start, StartFrom.End, StartFrom.At {

    /** The first event. */
    record Start() implements StartFrom {}

    /** Events written after the group was created (or last updated). */
    record End() implements StartFrom {}

    /** The event at this revision or position, and everything after it. */
    record At(long value) implements StartFrom {
        public At {
            if (value < 0) {
                throw new InvalidInputException("startFrom", value, "must be >= 0");
            }
        }
    }

    static StartFrom start() {
        return new Start();
    }

    static StartFrom end() {
        return new End();
    }

    static StartFrom at(long value) {
        return new At(value);
    }
}
