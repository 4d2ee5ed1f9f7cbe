/**
 * User accounts stored in the event store itself, and the Users service of the client protocol.
 *
 * <p>Storage, as KurrentDB keeps it in spirit (so that users survive restarts and, later, replicate
 * with the log):
 *
 * <ul>
 *   <li>{@code $user-<login>}: one event per change. Type {@code $user}: the whole record as JSON
 *       ({@code loginName}, {@code fullName}, {@code groups}, {@code disabled}, {@code
 *       passwordHash}); the last event is the current state. Type {@code $userDeleted}: the user
 *       no longer exists (it may be created again).
 *   <li>{@code $users}: the index, {@code $UserCreated} and {@code $UserDeleted} events carrying
 *       {@code {"loginName": ...}}, written atomically with the record (a multi-stream append).
 * </ul>
 *
 * <p>Both are system streams: only administrators may read or write them directly, whatever the
 * {@code $settings} say.
 */
@NullMarked
package io.factum.server.security.users;

import org.jspecify.annotations.NullMarked;
