package io.factum.server.persistent;

/** No group of that name exists on that source. */
public final class GroupNotFoundException extends PersistentSubscriptionException {
    private static final long serialVersionUID = 1L;

    public GroupNotFoundException(GroupKey key) {
        super(key, "subscription group '" + key.group() + "' on '" + key.stream() + "' does not exist");
    }
}
