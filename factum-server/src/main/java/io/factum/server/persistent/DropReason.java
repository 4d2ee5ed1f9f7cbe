package io.factum.server.persistent;

/** Why the server ended a consumer's subscription. */
public enum DropReason {
    /** The group was deleted. */
    GROUP_DELETED,
    /** The group's settings changed; the consumer may reconnect at once. */
    GROUP_UPDATED,
    /** The subsystem was restarted on request; the consumer may reconnect at once. */
    SUBSYSTEM_RESTARTED,
    /** The consumer rejected an event with the Stop action. */
    STOPPED_BY_CONSUMER,
    /** The server is shutting down. */
    SERVER_STOPPING
}
