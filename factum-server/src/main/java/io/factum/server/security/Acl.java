package io.factum.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An access control list as KurrentDB reads it: for each {@link StreamAccess}, either the roles
 * allowed, or nothing ("not set here", the next level's default applies). Unlike {@link
 * io.factum.api.StreamAcl}, an explicitly empty list is kept apart from an absent one: {@code
 * "$w": []} means "nobody but administrators may write", as in KurrentDB.
 *
 * <p>A role is a user's login name, one of its groups, or {@code $all} (every authenticated user).
 */
record Acl(Map<StreamAccess, List<String>> roles) {

    static final String ALL_ROLE = "$all";

    Acl {
        roles = Map.copyOf(roles);
    }

    static Acl none() {
        return new Acl(Map.of());
    }

    /** Every access granted to the given roles. */
    static Acl of(String... roles) {
        List<String> list = List.of(roles);
        Map<StreamAccess, List<String>> all = new java.util.EnumMap<>(StreamAccess.class);
        for (StreamAccess access : StreamAccess.values()) {
            all.put(access, list);
        }
        return new Acl(all);
    }

    Optional<List<String>> rolesFor(StreamAccess access) {
        return Optional.ofNullable(roles.get(access));
    }

    /**
     * Reads an {@code $acl} object: each of {@code $r $w $d $mr $mw} a string or an array of strings.
     *
     * @throws IllegalArgumentException naming the key, for anything else
     */
    static Acl parse(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("an ACL must be a JSON object");
        }
        Map<StreamAccess, List<String>> roles = new java.util.EnumMap<>(StreamAccess.class);
        for (StreamAccess access : StreamAccess.values()) {
            JsonNode value = node.get(access.aclKey());
            if (value != null) {
                roles.put(access, roles(access.aclKey(), value));
            }
        }
        return new Acl(roles);
    }

    private static List<String> roles(String key, JsonNode value) {
        if (value.isTextual()) {
            return List.of(value.asText());
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException(key + " must be a string or an array of strings");
        }
        List<String> roles = new ArrayList<>();
        for (JsonNode role : value) {
            if (!role.isTextual()) {
                throw new IllegalArgumentException(key + " must be a string or an array of strings");
            }
            roles.add(role.asText());
        }
        return roles;
    }
}
