package io.factum.server.persistent;

/** A persistent subscription operation that cannot be done in the group's current state. */
public abstract sealed class PersistentSubscriptionException extends RuntimeException
        permits GroupNotFoundException, GroupExistsException, MaximumSubscribersReachedException {

    private static final long serialVersionUID = 1L;

    private final transient GroupKey key;

    PersistentSubscriptionException(GroupKey key, String message) {
        super(message);
        this.key = key;
    }

    public GroupKey key() {
        return key;
    }
}
