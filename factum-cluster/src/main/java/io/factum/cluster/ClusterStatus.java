package io.factum.cluster;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a node knows of its cluster at one moment.
 *
 * @param self this node's id
 * @param role this node's role
 * @param term the current Raft term (one election per term at most)
 * @param leader the leader this node follows (or itself), when one is known
 * @param commitIndex the newest Raft entry this node knows a majority holds
 * @param appliedIndex the newest Raft entry applied to this node's store
 * @param headPosition the newest position in this node's store, -1 when empty
 * @param members every member of the current configuration, with what this node knows of each
 * @param elections the newest leader changes this node saw, newest first
 */
public record ClusterStatus(
        String self,
        Role role,
        long term,
        Optional<ClusterMember> leader,
        long commitIndex,
        long appliedIndex,
        long headPosition,
        List<Member> members,
        List<Election> elections) {

    public ClusterStatus {
        members = List.copyOf(members);
        elections = List.copyOf(elections);
    }

    /** A node's role, as KurrentDB's gossip names them where they match. */
    public enum Role {
        LEADER,
        FOLLOWER,
        CANDIDATE,
        /** A member being added: it copies the store before it takes part. */
        JOINING,
        /** The node is not running (it failed or is shutting down). */
        DOWN
    }

    /**
     * One member as this node sees it.
     *
     * @param role its role as far as this node knows: the leader knows its followers are followers
     *     while they answer; other nodes know only who leads
     * @param commitIndex the member's commit index as the leader last heard it (-1 when unknown)
     * @param lagEntries how many entries the member is behind the leader's commit index, when the
     *     leader knows (-1 otherwise)
     * @param alive on the leader, whether the member answered recently; on a follower, which hears
     *     only from the leader, true for every member (it cannot tell)
     */
    public record Member(ClusterMember member, Role role, long commitIndex, long lagEntries, boolean alive) {}

    /** A leader change this node saw. */
    public record Election(Instant at, long term, String leader) {}
}
