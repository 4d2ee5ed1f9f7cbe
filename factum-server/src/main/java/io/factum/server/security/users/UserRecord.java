package io.factum.server.security.users;

import java.util.List;
import java.util.Objects;

/**
 * A user as stored: never the password, only its salted hash.
 *
 * @param loginName the name the user logs in with
 * @param fullName free text
 * @param groups the roles the user holds, e.g. {@code $admins}
 * @param disabled a disabled user cannot authenticate
 * @param passwordHash the {@link io.factum.server.security.PasswordHasher} form of the password
 */
public record UserRecord(
        String loginName, String fullName, List<String> groups, boolean disabled, String passwordHash) {

    public UserRecord {
        Objects.requireNonNull(loginName, "loginName");
        Objects.requireNonNull(fullName, "fullName");
        Objects.requireNonNull(passwordHash, "passwordHash");
        groups = List.copyOf(groups);
    }

    UserRecord withDisabled(boolean value) {
        return new UserRecord(loginName, fullName, groups, value, passwordHash);
    }

    UserRecord withPasswordHash(String hash) {
        return new UserRecord(loginName, fullName, groups, disabled, hash);
    }

    UserRecord withDetails(String newFullName, List<String> newGroups) {
        return new UserRecord(loginName, newFullName, newGroups, disabled, passwordHash);
    }

    /** No hash in logs or error messages. */
    @Override
    public String toString() {
        return "UserRecord[" + loginName + ", groups=" + groups + (disabled ? ", disabled" : "") + "]";
    }
}
