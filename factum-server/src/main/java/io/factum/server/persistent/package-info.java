/**
 * Persistent subscriptions (competing consumers), built only on the {@link io.factum.api.EventStore}
 * contract so that they work over every backend. A group reads its source (a stream, or {@code
 * $all} with a filter) through one store subscription into a bounded buffer and hands events to its
 * connected consumers by a strategy; consumers acknowledge or reject them by id. Group
 * configuration, checkpoints and parked events live in the store itself, in system streams, so they
 * survive a restart. Nothing here knows about gRPC: the transport is {@code
 * io.factum.server.grpc.PersistentSubscriptionsService}. See {@code
 * docs/internals/persistent-subscriptions.md}.
 */
@NullMarked
package io.factum.server.persistent;

import org.jspecify.annotations.NullMarked;
