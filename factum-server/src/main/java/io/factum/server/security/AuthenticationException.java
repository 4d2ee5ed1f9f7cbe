package io.factum.server.security;

/** Credentials were given but are wrong, malformed, or belong to a disabled user. */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(String message) {
        super(message);
    }
}
