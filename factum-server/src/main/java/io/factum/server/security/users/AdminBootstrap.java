package io.factum.server.security.users;

import io.factum.server.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes sure a server with authentication on has an administrator to log in with. There is no fixed
 * default password: the first administrator's password comes from the operator, and without one a
 * server that has no administrator refuses to start.
 *
 * <ul>
 *   <li>An enabled member of {@code $admins} exists: nothing to do (a given password is ignored, so
 *       that it cannot silently overwrite a password changed since).
 *   <li>None exists and a password is given: user {@value #ADMIN} is created, or, if it exists
 *       (disabled, or removed from {@code $admins}), enabled, put back in {@code $admins} and given
 *       that password. This is also how an operator who locked every administrator out recovers.
 *   <li>None exists and no password is given: {@link NoAdministratorException}.
 * </ul>
 */
public final class AdminBootstrap {

    public static final String ADMIN = "admin";

    /** What {@link #ensure} did. */
    public enum Outcome {
        /** An enabled administrator existed already. */
        EXISTING,
        /** User {@value #ADMIN} was created. */
        CREATED,
        /** User {@value #ADMIN} existed and was restored as an enabled administrator. */
        RESTORED
    }

    /** Authentication is on, no administrator exists and no password was given. */
    public static final class NoAdministratorException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoAdministratorException(String message) {
            super(message);
        }
    }

    private AdminBootstrap() {}

    public static Outcome ensure(UserStore users, Optional<String> adminPassword) {
        if (!enabledAdmins(users).isEmpty()) {
            return Outcome.EXISTING;
        }
        if (adminPassword.isEmpty()) {
            throw new NoAdministratorException("authentication is on but no enabled administrator exists, and no"
                    + " password was given for user '" + ADMIN + "': set the environment variable"
                    + " FACTUM_ADMIN_PASSWORD, or pass --admin-password-file FILE (a file holding the password)");
        }
        String password = adminPassword.get();
        Optional<StoredUser> existing = users.find(ADMIN);
        if (existing.isEmpty()) {
            users.create(ADMIN, "Administrator", List.of(Principal.ADMINS), password);
            return Outcome.CREATED;
        }
        UserRecord record = existing.get().record();
        List<String> groups = new ArrayList<>(record.groups());
        if (!groups.contains(Principal.ADMINS)) {
            groups.add(Principal.ADMINS);
        }
        users.update(ADMIN, record.fullName(), groups, password);
        users.setDisabled(ADMIN, false);
        return Outcome.RESTORED;
    }

    static List<String> enabledAdmins(UserStore users) {
        return users.list().stream()
                .map(StoredUser::record)
                .filter(r -> !r.disabled() && r.groups().contains(Principal.ADMINS))
                .map(UserRecord::loginName)
                .toList();
    }
}
