package io.factum.framework.process;

import java.time.Instant;
import java.util.Objects;

/**
 * A moment a process wants to be told about, kept in the store so that it fires after a restart.
 *
 * @param id unique within the process (scheduling the same id again moves it)
 * @param data what the process needs when it fires (any text, for example JSON)
 */
public record Deadline(String id, Instant due, String data) {
    public Deadline {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(due, "due");
        Objects.requireNonNull(data, "data");
        if (id.isBlank()) {
            throw new IllegalArgumentException("a deadline id must not be blank");
        }
    }
}
