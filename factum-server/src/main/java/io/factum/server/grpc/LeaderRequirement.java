package io.factum.server.grpc;

import io.factum.cluster.ClusterNode;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;

/**
 * KurrentDB's {@code requires-leader} header: a client whose node preference is the leader (or
 * whose options ask for it) sends {@code requires-leader: true}, and a node that is not the leader
 * answers any such call, reads included, with the not-leader error naming the leader. Without it a
 * client still connected to a deposed leader would read that node's stale store unawares.
 */
public final class LeaderRequirement implements ServerInterceptor {
    static final Metadata.Key<String> REQUIRES_LEADER =
            Metadata.Key.of("requires-leader", Metadata.ASCII_STRING_MARSHALLER);

    private final ClusterNode node;

    public LeaderRequirement(ClusterNode node) {
        this.node = node;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if ("true".equalsIgnoreCase(headers.get(REQUIRES_LEADER)) && !node.isLeader()) {
            StatusRuntimeException refused = GrpcErrors.notLeader(node.notLeaderError(
                    "node " + node.options().nodeId() + " is not the leader and the call requires the leader"));
            call.close(refused.getStatus(), refused.getTrailers() == null ? new Metadata() : refused.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
    }
}
