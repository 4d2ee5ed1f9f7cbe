package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.server.grpc.GrpcErrors;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The server's not-leader answers, made by the server's own {@link GrpcErrors}, come back as the
 * store's {@link NotLeaderException} naming the node that answered; and only a missing node, not a
 * node's own answer, counts as unreachable.
 */
class NotLeaderMappingTest {

    private final ErrorMapper errors = new ErrorMapper("10.0.0.2:2113");

    @Test
    void aFollowersAnswerNamesTheLeadersEndpointAndTheNodeThatAnswered() {
        var leader = new NotLeaderException.Endpoint("10.0.0.1", 2113);
        var answer = GrpcErrors.notLeader(new NotLeaderException(
                "node n2 is a follower; writes go to the leader; the leader is n1 at 10.0.0.1:2113",
                Optional.of(leader)));

        assertThat(answer.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(errors.map(answer, "s"))
                .isInstanceOfSatisfying(
                        NotLeaderException.class, e -> assertThat(e.leader()).contains(leader))
                .hasMessageStartingWith("server 10.0.0.2:2113 is not the leader: node n2 is a follower")
                .hasMessageContaining("the leader is n1 at 10.0.0.1:2113");
        assertThat(ErrorMapper.unreachable(answer)).isFalse();
    }

    @Test
    void withoutAKnownLeaderTheAnswerIsUnavailableWithNoEndpointAndNotUnreachable() {
        var answer = GrpcErrors.notLeader(
                new NotLeaderException("no leader is known now (an election, or no majority)", Optional.empty()));

        assertThat(answer.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(errors.map(answer, "s"))
                .isInstanceOfSatisfying(
                        NotLeaderException.class, e -> assertThat(e.leader()).isEmpty())
                .hasMessageContaining("server 10.0.0.2:2113 is not the leader");
        assertThat(ErrorMapper.unreachable(answer)).isFalse();
    }

    @Test
    void anEndpointThatDoesNotParseCountsAsUnknown() {
        Metadata trailers = new Metadata();
        trailers.put(ErrorMapper.EXCEPTION, "not-leader");
        trailers.put(ErrorMapper.LEADER_HOST, "10.0.0.1");
        trailers.put(ErrorMapper.LEADER_PORT, "http");

        assertThat(errors.map(Status.NOT_FOUND.withDescription("leader").asRuntimeException(trailers), "s"))
                .isInstanceOfSatisfying(
                        NotLeaderException.class, e -> assertThat(e.leader()).isEmpty());
    }

    @Test
    void onlyAnUnavailableCallWithoutTheServersErrorIsUnreachable() {
        assertThat(ErrorMapper.unreachable(
                        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException()))
                .isTrue();
        assertThat(ErrorMapper.unreachable(Status.DEADLINE_EXCEEDED.asRuntimeException()))
                .isFalse();
        var closing = GrpcErrors.toStatus(new StoreClosedException("the store is closed"));
        assertThat(closing.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(ErrorMapper.unreachable(closing)).isFalse();
    }
}
