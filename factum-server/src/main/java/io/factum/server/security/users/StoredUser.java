package io.factum.server.security.users;

import java.time.Instant;

/**
 * A user record with its place in {@code $user-<login>}.
 *
 * @param record the current state
 * @param version the version of the event that holds it, for optimistic concurrency
 * @param lastUpdated when that event was written
 */
public record StoredUser(UserRecord record, long version, Instant lastUpdated) {}
