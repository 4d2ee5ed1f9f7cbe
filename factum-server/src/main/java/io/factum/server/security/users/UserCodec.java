package io.factum.server.security.users;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JSON of user events. Reading is lenient about extra fields (a later version may add some) and
 * strict about the ones it needs: a record it cannot read is treated as absent by the store's
 * callers, never as a user without a password.
 */
final class UserCodec {

    static final String USER_TYPE = "$user";
    static final String USER_DELETED_TYPE = "$userDeleted";
    static final String INDEX_CREATED_TYPE = "$UserCreated";
    static final String INDEX_DELETED_TYPE = "$UserDeleted";

    private static final ObjectMapper JSON = new ObjectMapper();

    private UserCodec() {}

    static byte[] encode(UserRecord user) {
        ObjectNode node = JSON.createObjectNode();
        node.put("loginName", user.loginName());
        node.put("fullName", user.fullName());
        var groups = node.putArray("groups");
        user.groups().forEach(groups::add);
        node.put("disabled", user.disabled());
        node.put("passwordHash", user.passwordHash());
        return bytes(node);
    }

    static byte[] loginOnly(String loginName) {
        ObjectNode node = JSON.createObjectNode();
        node.put("loginName", loginName);
        return bytes(node);
    }

    /** The record, or empty when the JSON lacks a required field (damaged or foreign data). */
    static Optional<UserRecord> decode(byte[] data) {
        try {
            JsonNode node = JSON.readTree(data);
            if (node == null
                    || !node.path("loginName").isTextual()
                    || !node.path("passwordHash").isTextual()) {
                return Optional.empty();
            }
            List<String> groups = new ArrayList<>();
            for (JsonNode group : node.path("groups")) {
                if (group.isTextual()) {
                    groups.add(group.asText());
                }
            }
            return Optional.of(new UserRecord(
                    node.get("loginName").asText(),
                    node.path("fullName").asText(""),
                    groups,
                    node.path("disabled").asBoolean(false),
                    node.get("passwordHash").asText()));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    static Optional<String> decodeLogin(byte[] data) {
        try {
            JsonNode node = JSON.readTree(data);
            return node != null && node.path("loginName").isTextual()
                    ? Optional.of(node.get("loginName").asText())
                    : Optional.empty();
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and booleans always serializes", e);
        }
    }
}
