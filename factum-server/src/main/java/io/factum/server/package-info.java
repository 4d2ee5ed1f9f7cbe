/**
 * The Factum server: the KurrentDB/EventStoreDB gRPC client protocol, HTTP/JSON with Server-Sent
 * Events, authentication and access control, over any {@link io.factum.api.EventStore}.
 */
@NullMarked
package io.factum.server;

import org.jspecify.annotations.NullMarked;
