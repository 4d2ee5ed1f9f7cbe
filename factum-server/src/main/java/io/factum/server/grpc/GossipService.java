package io.factum.server.grpc;

import io.factum.cluster.ClusterNode;
import io.factum.cluster.ClusterStatus;
import io.factum.protocol.gossip.ClusterInfo;
import io.factum.protocol.gossip.EndPoint;
import io.factum.protocol.gossip.GossipGrpc;
import io.factum.protocol.gossip.MemberInfo;
import io.factum.protocol.shared.Empty;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Gossip in KurrentDB's format: every member with its state and the endpoint clients use. Clients
 * with a discovery connection string ({@code esdb+discover://}, {@code kurrentdb+discover://}) read
 * it from a seed (or from each of several seeds in a cluster string such as {@code
 * esdb://h1,h2,h3}), pick a member by their node preference (the leader, by default) and read it
 * again after a failure, which is how they follow a failover.
 */
public final class GossipService extends GossipGrpc.GossipImplBase {

    /** One member as gossip announces it. */
    public record Member(UUID instanceId, MemberInfo.VNodeState state, boolean alive, String host, int port) {}

    private final Supplier<List<Member>> members;
    private final Clock clock;

    public GossipService(Supplier<List<Member>> members, Clock clock) {
        this.members = members;
        this.clock = clock;
    }

    /** A single node: always the leader, alive, at the address clients should use. */
    public static GossipService singleNode(UUID instanceId, String advertisedHost, IntSupplier port, Clock clock) {
        return new GossipService(
                () -> List.of(
                        new Member(instanceId, MemberInfo.VNodeState.Leader, true, advertisedHost, port.getAsInt())),
                clock);
    }

    /** A cluster node: every member as this node sees it (see {@link ClusterNode#status()}). */
    public static GossipService cluster(ClusterNode node, Clock clock) {
        return new GossipService(() -> members(node.status()), clock);
    }

    static List<Member> members(ClusterStatus status) {
        return status.members().stream()
                .map(m -> new Member(
                        instanceId(m.member().id()),
                        state(m.role()),
                        m.alive() && m.role() != ClusterStatus.Role.DOWN,
                        m.member().host(),
                        m.member().clientPort()))
                .toList();
    }

    /** A member's instance id: derived from its node id, so it is the same on every node and run. */
    public static UUID instanceId(String nodeId) {
        return UUID.nameUUIDFromBytes(("factum-node:" + nodeId).getBytes(StandardCharsets.UTF_8));
    }

    static MemberInfo.VNodeState state(ClusterStatus.Role role) {
        return switch (role) {
            case LEADER -> MemberInfo.VNodeState.Leader;
            case FOLLOWER -> MemberInfo.VNodeState.Follower;
            // An election: no member may be picked as leader until it ends.
            case CANDIDATE -> MemberInfo.VNodeState.Unknown;
            case JOINING -> MemberInfo.VNodeState.CatchingUp;
            case DOWN -> MemberInfo.VNodeState.Shutdown;
        };
    }

    @Override
    public void read(Empty request, StreamObserver<ClusterInfo> responseObserver) {
        long now = ProtoCodec.dotnetTicks(clock.instant());
        ClusterInfo.Builder info = ClusterInfo.newBuilder();
        for (Member m : members.get()) {
            info.addMembers(MemberInfo.newBuilder()
                    .setInstanceId(ProtoCodec.uuid(m.instanceId(), false))
                    .setTimeStamp(now)
                    .setState(m.state())
                    .setIsAlive(m.alive())
                    .setHttpEndPoint(EndPoint.newBuilder().setAddress(m.host()).setPort(m.port())));
        }
        responseObserver.onNext(info.build());
        responseObserver.onCompleted();
    }
}
