package io.factum.server.security;

import org.jspecify.annotations.Nullable;

/** Turns the credentials of a call (an HTTP {@code Authorization} header value) into a principal. */
public interface Authenticator {

    /**
     * @param authorization the header value, or {@code null} when the call carries none
     * @return the caller; {@link Principal.Anonymous} when there are no credentials
     * @throws AuthenticationException when credentials are present but not valid
     */
    Principal authenticate(@Nullable String authorization);

    /** Development mode: credentials are ignored and every caller is anonymous. */
    static Authenticator none() {
        return authorization -> Principal.anonymous();
    }
}
