package io.factum.server.grpc;

import io.factum.protocol.gossip.ClusterInfo;
import io.factum.protocol.gossip.EndPoint;
import io.factum.protocol.gossip.GossipGrpc;
import io.factum.protocol.gossip.MemberInfo;
import io.factum.protocol.shared.Empty;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.UUID;
import java.util.function.IntSupplier;

/** Gossip for a single node: it is the leader, alive, at the address clients should use. */
public final class GossipService extends GossipGrpc.GossipImplBase {

    private final UUID instanceId;
    private final String advertisedHost;
    private final IntSupplier advertisedPort;
    private final Clock clock;

    /** @param advertisedPort the port clients should use, known once the server is bound */
    public GossipService(UUID instanceId, String advertisedHost, IntSupplier advertisedPort, Clock clock) {
        this.instanceId = instanceId;
        this.advertisedHost = advertisedHost;
        this.advertisedPort = advertisedPort;
        this.clock = clock;
    }

    @Override
    public void read(Empty request, StreamObserver<ClusterInfo> responseObserver) {
        var self = MemberInfo.newBuilder()
                .setInstanceId(ProtoCodec.uuid(instanceId, false))
                .setTimeStamp(ProtoCodec.dotnetTicks(clock.instant()))
                .setState(MemberInfo.VNodeState.Leader)
                .setIsAlive(true)
                .setHttpEndPoint(
                        EndPoint.newBuilder().setAddress(advertisedHost).setPort(advertisedPort.getAsInt()));
        responseObserver.onNext(ClusterInfo.newBuilder().addMembers(self).build());
        responseObserver.onCompleted();
    }
}
