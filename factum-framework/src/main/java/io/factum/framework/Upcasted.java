package io.factum.framework;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** An event an upcaster produced: its type, schema version and JSON data. */
public record Upcasted(TypeVersion typeVersion, ObjectNode data) {
    public Upcasted {
        Objects.requireNonNull(typeVersion, "typeVersion");
        Objects.requireNonNull(data, "data");
    }

    public static Upcasted of(String type, int version, ObjectNode data) {
        return new Upcasted(new TypeVersion(type, version), data);
    }
}
