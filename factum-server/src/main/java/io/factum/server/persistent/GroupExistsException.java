package io.factum.server.persistent;

/** Creating a group whose name is taken on that source. */
public final class GroupExistsException extends PersistentSubscriptionException {
    private static final long serialVersionUID = 1L;

    public GroupExistsException(GroupKey key) {
        super(key, "subscription group '" + key.group() + "' on '" + key.stream() + "' already exists");
    }
}
