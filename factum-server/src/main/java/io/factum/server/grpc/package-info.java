/**
 * The KurrentDB/EventStoreDB gRPC client protocol: Streams, ServerFeatures, Gossip, and the shared
 * translation between protocol messages, the store's types and gRPC errors.
 */
@NullMarked
package io.factum.server.grpc;

import org.jspecify.annotations.NullMarked;
