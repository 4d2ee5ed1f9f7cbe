package io.factum.server.persistent;

/** The group already has its maximum number of consumers. */
public final class MaximumSubscribersReachedException extends PersistentSubscriptionException {
    private static final long serialVersionUID = 1L;

    public MaximumSubscribersReachedException(GroupKey key, int max) {
        super(
                key,
                "subscription group '" + key.group() + "' on '" + key.stream() + "' already has its maximum of " + max
                        + " consumers");
    }
}
