package io.factum.server.security;

import io.factum.api.EventStore;
import io.factum.server.security.users.UserStore;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The security a server runs with: how calls authenticate and what principals may do.
 *
 * @param authenticator resolves a call's credentials
 * @param policy decides every access
 * @param required whether anonymous calls are refused outright (authentication on)
 * @param users the user store the authenticator reads, shared with the Users service so that a
 *     change made through the service reaches the authenticator's cache at once; empty when the
 *     authenticator reads no users (the server then serves Users over a store of its own)
 */
public record ServerSecurity(
        Authenticator authenticator, AccessPolicy policy, boolean required, Optional<UserStore> users) {

    public ServerSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(users, "users");
    }

    public ServerSecurity(Authenticator authenticator, AccessPolicy policy, boolean required) {
        this(authenticator, policy, required, Optional.empty());
    }

    /** Development mode: no authentication, no access control. */
    public static ServerSecurity disabled() {
        return new ServerSecurity(Authenticator.none(), AccessPolicy.unrestricted(), false);
    }

    /**
     * Authentication on: HTTP Basic against {@code users}, KurrentDB's ACLs over {@code store},
     * anonymous calls refused.
     */
    public static ServerSecurity authenticated(EventStore store, UserStore users, Clock clock) {
        return new ServerSecurity(new BasicAuthenticator(users, clock), new AclPolicy(store), true, Optional.of(users));
    }
}
