package io.factum.framework;

import java.util.Objects;
import java.util.UUID;

/**
 * A command with the id that makes it idempotent and the correlation id of the work it belongs to.
 * A caller that retries a command (after a timeout, a lost connection) sends the same envelope
 * again: the events of one command id are stored once.
 *
 * @param commandId the command's identity: the events it produces carry ids derived from it, and
 *     it is their {@code $causationId}
 * @param correlationId the {@code $correlationId} of the events it produces: the id of the
 *     business process the command is part of (the command id itself when it starts one)
 */
public record CommandEnvelope<C>(UUID commandId, C command, String correlationId) {

    public CommandEnvelope {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(correlationId, "correlationId");
        if (correlationId.isBlank()) {
            throw new IllegalArgumentException("correlationId must not be blank");
        }
    }

    /** A new command with a random id that starts its own correlation. */
    public static <C> CommandEnvelope<C> of(C command) {
        UUID id = UUID.randomUUID();
        return new CommandEnvelope<>(id, command, id.toString());
    }

    /** A new command with a random id, part of the given correlation. */
    public static <C> CommandEnvelope<C> correlated(C command, String correlationId) {
        return new CommandEnvelope<>(UUID.randomUUID(), command, correlationId);
    }
}
