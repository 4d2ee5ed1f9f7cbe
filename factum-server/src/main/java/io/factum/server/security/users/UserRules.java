package io.factum.server.security.users;

import io.factum.api.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;

/** What a login name, a full name, a group and a password may be; checked before anything is written. */
final class UserRules {

    static final int MAX_LOGIN_BYTES = 128;
    static final int MAX_FULL_NAME_CHARS = 256;
    static final int MAX_GROUPS = 64;
    static final int MAX_GROUP_BYTES = 128;
    static final int MAX_PASSWORD_CHARS = 1024;

    private UserRules() {}

    static void checkLogin(String login) {
        if (login.isEmpty()) {
            throw new InvalidInputException("login_name", login, "is required");
        }
        if (login.getBytes(StandardCharsets.UTF_8).length > MAX_LOGIN_BYTES) {
            throw new InvalidInputException("login_name", login, "is longer than " + MAX_LOGIN_BYTES + " UTF-8 bytes");
        }
        if (login.startsWith("$")) {
            // Names starting with $ are roles ($admins, $ops, $all); a user by that name would match
            // every ACL entry naming the role.
            throw new InvalidInputException("login_name", login, "must not start with '$' (reserved for roles)");
        }
        if (login.indexOf(':') >= 0) {
            // HTTP Basic credentials are "login:password"; a colon in the login could never log in.
            throw new InvalidInputException("login_name", login, "must not contain ':'");
        }
        if (!login.strip().equals(login)) {
            throw new InvalidInputException("login_name", login, "must not start or end with whitespace");
        }
        checkNoControl("login_name", login);
    }

    static void checkFullName(String fullName) {
        if (fullName.length() > MAX_FULL_NAME_CHARS) {
            throw new InvalidInputException(
                    "full_name", fullName, "is longer than " + MAX_FULL_NAME_CHARS + " characters");
        }
        checkNoControl("full_name", fullName);
    }

    /** The groups without duplicates, in the order given. */
    static List<String> checkGroups(List<String> groups) {
        if (groups.size() > MAX_GROUPS) {
            throw new InvalidInputException(
                    "groups", groups.size() + " groups", "at most " + MAX_GROUPS + " are allowed");
        }
        for (String group : groups) {
            if (group.isEmpty() || group.getBytes(StandardCharsets.UTF_8).length > MAX_GROUP_BYTES) {
                throw new InvalidInputException(
                        "groups", group, "each group must be 1 to " + MAX_GROUP_BYTES + " UTF-8 bytes");
            }
            checkNoControl("groups", group);
        }
        return List.copyOf(new LinkedHashSet<>(groups));
    }

    static void checkPassword(String field, String password) {
        if (password.isEmpty()) {
            throw new InvalidInputException(field, "(empty)", "a password is required");
        }
        if (password.length() > MAX_PASSWORD_CHARS) {
            // The value itself is never echoed in an error.
            throw new InvalidInputException(
                    field, password.length() + " characters", "at most " + MAX_PASSWORD_CHARS + " are allowed");
        }
    }

    private static void checkNoControl(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidInputException(
                        field, value.replaceAll("\\p{Cntrl}", "?"), "must not contain control characters");
            }
        }
    }
}
