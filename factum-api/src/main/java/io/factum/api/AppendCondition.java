package io.factum.api;

import java.util.Objects;

/**
 * The condition of a conditional append (a dynamic consistency boundary): the append fails with
 * {@link AppendConditionFailedException} if any event matching {@link #failIfEventsMatch} is stored
 * at a position after {@link #afterPosition}. A decider reads its query with {@link
 * EventStore#readByQuery}, decides, and appends with the same query and the position the read was
 * consistent at ({@link QueryReadResult#headPosition()}), so the append succeeds only if nothing it
 * depended on changed in between.
 *
 * <p>The check runs where stream expectations are checked, atomically with the write: two appends
 * whose conditions conflict with each other's events never both succeed.
 *
 * @param failIfEventsMatch the query the decision depended on
 * @param afterPosition the position the decision's read was consistent at; {@code -1} when any
 *     matching event at all makes the append fail (for example "this username is not taken yet")
 */
public record AppendCondition(Query failIfEventsMatch, long afterPosition) {

    public AppendCondition {
        Objects.requireNonNull(failIfEventsMatch, "failIfEventsMatch");
        if (afterPosition < -1) {
            throw new InvalidInputException(
                    "afterPosition", afterPosition, "must be >= -1 (-1: no matching event may exist at all)");
        }
    }

    /** Fails if any event matching the query exists at all. */
    public static AppendCondition noneMatching(Query query) {
        return new AppendCondition(query, -1);
    }

    /** Fails if an event matching the query was stored after {@code position}. */
    public static AppendCondition noneMatchingAfter(Query query, long position) {
        return new AppendCondition(query, position);
    }
}
