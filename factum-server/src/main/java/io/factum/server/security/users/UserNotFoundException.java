package io.factum.server.security.users;

/** No user has this login name (KurrentDB's {@code user-not-found}). */
public final class UserNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String loginName;

    public UserNotFoundException(String loginName) {
        super("user '" + loginName + "' does not exist");
        this.loginName = loginName;
    }

    public String loginName() {
        return loginName;
    }
}
