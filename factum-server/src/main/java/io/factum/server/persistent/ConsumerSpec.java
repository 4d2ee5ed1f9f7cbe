package io.factum.server.persistent;

import io.factum.api.InvalidInputException;
import java.util.Objects;

/**
 * A consumer joining a group.
 *
 * @param bufferSize most events it holds unacknowledged at once
 * @param from where it connects from, for statistics ("127.0.0.1:5000")
 * @param username who it authenticated as, for statistics
 */
public record ConsumerSpec(int bufferSize, String from, String username) {

    /** One consumer's unacknowledged events are memory the group holds for it. */
    public static final int MAX_BUFFER_SIZE = 10_000;

    public ConsumerSpec {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(username, "username");
        if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
            throw new InvalidInputException("bufferSize", bufferSize, "must be between 1 and " + MAX_BUFFER_SIZE);
        }
    }
}
