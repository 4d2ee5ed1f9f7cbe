/**
 * Factum's remote client: {@link io.factum.client.RemoteEventStore}, the {@link
 * io.factum.api.EventStore} contract over the KurrentDB gRPC protocol that a Factum server speaks,
 * following the leader of a Factum cluster, and {@link io.factum.client.ClientOptions}, parsed from
 * {@code factum://}, {@code kurrentdb://} or {@code esdb://} URLs that name one server or several
 * seeds of a cluster. See {@code docs/client.md}.
 */
@NullMarked
package io.factum.client;

import org.jspecify.annotations.NullMarked;
