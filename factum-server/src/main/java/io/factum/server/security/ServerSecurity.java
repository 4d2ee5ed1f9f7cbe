package io.factum.server.security;

import java.util.Objects;

/**
 * The security a server runs with: how calls authenticate and what principals may do.
 *
 * @param authenticator resolves a call's credentials
 * @param policy decides every access
 * @param required whether anonymous calls are refused outright (authentication on)
 */
public record ServerSecurity(Authenticator authenticator, AccessPolicy policy, boolean required) {

    public ServerSecurity {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(policy, "policy");
    }

    /** Development mode: no authentication, no access control. */
    public static ServerSecurity disabled() {
        return new ServerSecurity(Authenticator.none(), AccessPolicy.unrestricted(), false);
    }
}
