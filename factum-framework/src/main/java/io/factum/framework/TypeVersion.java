package io.factum.framework;

import java.util.Objects;

/** An event type name at a schema version, for example {@code Deposited} v2. */
public record TypeVersion(String type, int version) {
    public TypeVersion {
        Objects.requireNonNull(type, "type");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version + " (of " + type + ")");
        }
    }

    @Override
    public String toString() {
        return type + " v" + version;
    }
}
