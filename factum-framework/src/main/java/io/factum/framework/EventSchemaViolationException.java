package io.factum.framework;

import java.util.List;

/**
 * An event does not match the JSON Schema registered for its type and version; it was not
 * stored. The message names each offending field.
 */
public final class EventSchemaViolationException extends IllegalArgumentException {
    private final transient TypeVersion typeVersion;
    private final List<String> violations;

    public EventSchemaViolationException(TypeVersion typeVersion, List<String> violations) {
        super(typeVersion + " does not match its schema: " + String.join("; ", violations));
        this.typeVersion = typeVersion;
        this.violations = List.copyOf(violations);
    }

    public TypeVersion typeVersion() {
        return typeVersion;
    }

    /** One line per violation, each starting with the field as a JSON Pointer, for example {@code /amount}. */
    public List<String> violations() {
        return violations;
    }
}
