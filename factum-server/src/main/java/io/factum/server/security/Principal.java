package io.factum.server.security;

import java.util.Objects;
import java.util.Set;

/** The caller of an operation, as authentication established it. */
public sealed interface Principal permits Principal.Anonymous, Principal.User {

    /** The group whose members are administrators, as in KurrentDB. */
    String ADMINS = "$admins";

    /** The group whose members may run operations tasks, as in KurrentDB. */
    String OPS = "$ops";

    /** A call without credentials. */
    record Anonymous() implements Principal {}

    /** An authenticated user and the groups it belongs to. */
    record User(String name, Set<String> groups) implements Principal {
        public User {
            Objects.requireNonNull(name, "name");
            groups = Set.copyOf(groups);
        }

        public boolean isAdmin() {
            return groups.contains(ADMINS);
        }
    }

    static Principal anonymous() {
        return new Anonymous();
    }

    /** A name for logs and error messages. */
    default String displayName() {
        return switch (this) {
            case Anonymous a -> "anonymous";
            case User u -> u.name();
        };
    }
}
