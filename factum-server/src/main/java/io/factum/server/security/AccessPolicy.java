package io.factum.server.security;

import io.factum.api.AccessDeniedException;

/**
 * Decides whether a principal may do something. Every transport asks it before touching the store,
 * so that gRPC and HTTP enforce the same rules.
 */
public interface AccessPolicy {

    /**
     * @throws AccessDeniedException when {@code who} may not {@code access} {@code stream}
     */
    void checkStream(Principal who, StreamAccess access, String stream);

    /**
     * Reading or subscribing to {@code $all}.
     *
     * @throws AccessDeniedException when {@code who} may not read the global log
     */
    void checkReadAll(Principal who);

    /**
     * Operations reserved to administrators (users, persistent subscription management...).
     *
     * @param operation what is attempted, for the error message
     * @throws AccessDeniedException when {@code who} is not an administrator
     */
    void checkAdmin(Principal who, String operation);

    /**
     * Operations tasks that KurrentDB grants to {@code $admins} and {@code $ops} alike: managing
     * persistent subscriptions, scavenges, shutdown. Policies without an operations role treat them
     * as administration.
     *
     * @param operation what is attempted, for the error message
     * @throws AccessDeniedException when {@code who} is neither an administrator nor an operator
     */
    default void checkOperations(Principal who, String operation) {
        checkAdmin(who, operation);
    }

    /** Development mode: no authentication and no access control; everything is allowed. */
    static AccessPolicy unrestricted() {
        return Unrestricted.INSTANCE;
    }

    /** The policy of {@link #unrestricted()}. */
    enum Unrestricted implements AccessPolicy {
        INSTANCE;

        @Override
        public void checkStream(Principal who, StreamAccess access, String stream) {}

        @Override
        public void checkReadAll(Principal who) {}

        @Override
        public void checkAdmin(Principal who, String operation) {}
    }
}
