package io.factum.server.security.users;

/**
 * The change conflicts with the user's current state: it already exists, or it changed
 * concurrently too often (KurrentDB's {@code user-conflict}).
 */
public final class UserConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String loginName;

    public UserConflictException(String loginName, String message) {
        super(message);
        this.loginName = loginName;
    }

    public String loginName() {
        return loginName;
    }
}
