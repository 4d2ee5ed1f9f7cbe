package io.factum.framework.projection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who is alive and who holds each partition, as one JSON document: each instance's heartbeat
 * counter, and each partition's owner. Every change is a new document appended with the version
 * of the one it replaces, so the table changes one writer at a time.
 *
 * @param members each live instance's heartbeat counter (it increases at every beat)
 * @param owners each held partition's owner
 */
record LeaseTable(Map<String, Long> members, Map<Integer, String> owners) {
    private static final ObjectMapper JSON = new ObjectMapper();

    LeaseTable {
        members = Map.copyOf(members);
        owners = Map.copyOf(owners);
    }

    static LeaseTable empty() {
        return new LeaseTable(Map.of(), Map.of());
    }

    byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putObject("members");
        new TreeMap<>(members).forEach(m::put);
        ObjectNode o = root.putObject("owners");
        new TreeMap<>(owners).forEach((p, owner) -> o.put(Integer.toString(p), owner));
        return root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    static LeaseTable fromJson(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        Map<String, Long> members = new TreeMap<>();
        root.path("members")
                .properties()
                .forEach(e -> members.put(e.getKey(), e.getValue().asLong()));
        Map<Integer, String> owners = new TreeMap<>();
        root.path("owners")
                .properties()
                .forEach(e ->
                        owners.put(Integer.parseInt(e.getKey()), e.getValue().asText()));
        return new LeaseTable(members, owners);
    }
}
