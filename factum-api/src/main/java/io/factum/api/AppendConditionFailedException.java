package io.factum.api;

/**
 * A conditional append failed: an event matching the condition's query was stored after the
 * condition's position. Nothing of the append was written. Retrying means reading the query again
 * and deciding again.
 */
public final class AppendConditionFailedException extends FactumException {
    private final AppendCondition condition;
    private final long conflictingPosition;

    /** @param conflictingPosition the position of the first event that matches after the condition's */
    public AppendConditionFailedException(AppendCondition condition, long conflictingPosition) {
        super("append condition failed: the event at position " + conflictingPosition + " matches "
                + describe(condition));
        this.condition = condition;
        this.conflictingPosition = conflictingPosition;
    }

    public AppendCondition condition() {
        return condition;
    }

    /** Position of the first (lowest-positioned) event that broke the condition. */
    public long conflictingPosition() {
        return conflictingPosition;
    }

    private static String describe(AppendCondition condition) {
        return condition.failIfEventsMatch()
                + (condition.afterPosition() < 0
                        ? " (no matching event may exist)"
                        : " and is after position " + condition.afterPosition());
    }
}
