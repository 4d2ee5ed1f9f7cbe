package io.factum.cluster;

import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.cluster.internal.Proposer;
import io.factum.cluster.internal.Queries;
import io.factum.cluster.internal.RaftSetup;
import io.factum.cluster.internal.ReplicatedState;
import io.factum.cluster.internal.StateTransfer;
import io.factum.engine.Replica;
import io.factum.engine.WriteCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * One running node of a Factum cluster: an Apache Ratis server in one Raft group, whose state
 * machine applies each committed entry to the node's own store ({@link ReplicatedState}), and
 * {@link #store()}, the {@link io.factum.api.EventStore} the server serves on this node.
 *
 * <p>Writes go to the leader: on a follower they fail with {@link NotLeaderException} naming the
 * leader's client endpoint. Reads are served from the node's own store: on the leader after a
 * Raft read index (linearizable), on a follower as far as it has applied (stale, but never going
 * back). See {@code docs/internals/replication.md}.
 */
public final class ClusterNode implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterNode.class.getName());

    /** Every Factum cluster is one Raft group with this id. */
    static final RaftGroupId GROUP = RaftGroupId.valueOf(
            java.util.UUID.nameUUIDFromBytes("factum-cluster".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

    private static final int MAX_ELECTIONS_KEPT = 16;

    private final ClusterOptions options;
    private final RaftPeerId selfId;
    private final ReplicatedState state;
    private final RaftServer server;
    private final Proposer proposer;
    private final ClusterEventStore store;
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final Deque<ClusterStatus.Election> elections = new ArrayDeque<>();
    private final List<Runnable> leaderListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private ClusterNode(ClusterOptions options) throws IOException {
        this.options = options;
        this.selfId = RaftPeerId.valueOf(options.nodeId());
        String session = Proposer.sessionName(options.nodeId(), new SecureRandom()::nextLong);
        this.proposer = new Proposer(
                session,
                this::submit,
                Clock.systemUTC(),
                options.writeTimeout(),
                options.maxInFlightEntries(),
                options.maxEntryBytes(),
                this::notLeader);
        this.state = new ReplicatedState(
                options.engine(),
                options.dataDir().resolve("journal"),
                proposer,
                this::transferSource,
                this::leaderChanged);
        RaftGroup group = options.join()
                ? RaftGroup.valueOf(GROUP)
                : RaftGroup.valueOf(
                        GROUP, options.members().stream().map(ClusterNode::peer).toList());
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setStateMachine(state)
                .setProperties(RaftSetup.serverProperties(options))
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        this.store = new ClusterEventStore(this, options.engine().limits());
    }

    /**
     * Starts the node: opens its store, replays what its Raft log holds beyond the store, and joins
     * the group (elections start once a majority is up).
     *
     * @throws IOException when the replication port is taken, or the store cannot be opened
     */
    public static ClusterNode start(ClusterOptions options) throws IOException {
        RaftSetup.preventExit();
        checkPortFree(options.self());
        ClusterNode node = new ClusterNode(options);
        try {
            node.server.start();
        } catch (IOException | RuntimeException e) {
            node.proposer.close();
            try {
                node.server.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io
                    ? io
                    : new IOException("starting node " + options.nodeId() + " failed: " + e.getMessage(), e);
        }
        return node;
    }

    private static void checkPortFree(ClusterMember self) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(self.host(), self.raftPort()));
        } catch (IOException e) {
            throw new IOException(
                    "node " + self.id() + " cannot listen on " + self.raftAddress() + " for replication ("
                            + e.getMessage() + "); is another node or process using it?",
                    e);
        }
    }

    /** A member as a Raft peer; its client endpoint travels in the data-stream address (unused). */
    static RaftPeer peer(ClusterMember m) {
        return RaftPeer.newBuilder()
                .setId(m.id())
                .setAddress(m.raftAddress())
                .setDataStreamAddress(m.host() + ":" + m.clientPort())
                .build();
    }

    static Optional<ClusterMember> member(RaftPeer peer) {
        try {
            String raft = peer.getAddress();
            String client = peer.getDataStreamAddress();
            if (raft == null || client == null) {
                return Optional.empty();
            }
            int raftColon = raft.lastIndexOf(':');
            int clientColon = client.lastIndexOf(':');
            return Optional.of(new ClusterMember(
                    peer.getId().toString(),
                    client.substring(0, clientColon),
                    Integer.parseInt(client.substring(clientColon + 1)),
                    Integer.parseInt(raft.substring(raftColon + 1))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The store this node serves: writes through Raft, reads from the node's own replica. */
    public ClusterEventStore store() {
        return store;
    }

    public ClusterOptions options() {
        return options;
    }

    Replica replica() {
        return state.replica();
    }

    /**
     * Why this node serves reads only, if it does: its store failed (an IO error while applying),
     * after which it applies nothing more and must be restarted once the cause is fixed.
     */
    public Optional<String> readOnly() {
        Throwable failed = state.failure();
        if (failed != null) {
            return Optional.of("applying the replicated log failed: " + failed.getMessage());
        }
        try {
            return state.replica().store().readOnly();
        } catch (IllegalStateException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ writes

    CompletableFuture<Replica.Outcome> propose(WriteCommand command) {
        checkOpen();
        awaitReadyIfLeading();
        if (!info().isLeader()) {
            throw notLeader("node " + options.nodeId() + " is a follower; writes go to the leader");
        }
        return proposer.propose(command);
    }

    /**
     * A newly elected leader takes writes only once it has applied the entry that opens its term
     * (Ratis refuses them until then): a write arriving in that gap waits, briefly, rather than
     * fail with a not-leader answer naming nobody.
     */
    private void awaitReadyIfLeading() {
        long deadline = System.nanoTime() + options.electionTimeoutMax().toNanos();
        DivisionInfo info = info();
        while (info.isLeader() && !info.isLeaderReady() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreClosedException("interrupted while the new leader got ready");
            }
            info = info();
        }
    }

    private CompletableFuture<Void> submit(byte[] entry) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClient)
                .setServerId(selfId)
                .setGroupId(GROUP)
                .setCallId(callIds.incrementAndGet())
                .setMessage(Message.valueOf(ByteString.copyFrom(entry)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
        try {
            return server.submitClientRequestAsync(request).thenApply(ClusterNode::checkReply);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Void checkReply(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException());
        }
        return null;
    }

    /** The error for a call this node cannot take, naming the leader's client endpoint if known. */
    public NotLeaderException notLeaderError(String why) {
        return notLeader(why);
    }

    /** The error for a write this node cannot take, naming the leader's client endpoint if known. */
    NotLeaderException notLeader(String why) {
        Optional<ClusterMember> leader = leader().filter(m -> !m.id().equals(options.nodeId()));
        String where = leader.map(m -> "; the leader is " + m.id() + " at " + m.host() + ":" + m.clientPort())
                .orElse("; no leader is known now (an election, or no majority): retry shortly");
        return new NotLeaderException(
                why + where, leader.map(m -> new NotLeaderException.Endpoint(m.host(), m.clientPort())));
    }

    // ------------------------------------------------------------------ reads

    /**
     * On the leader, waits until this node has applied everything committed when the call began
     * (Raft's read index), so a read that follows sees every acknowledged write. On a follower it
     * returns at once: follower reads are stale but monotonic.
     */
    void readBarrier() {
        checkOpen();
        long deadline = System.nanoTime() + options.writeTimeout().toNanos();
        String failure = "";
        while (System.nanoTime() < deadline) {
            if (!info().isLeader()) {
                return; // a follower's reads are stale but monotonic; no read index to wait for
            }
            Optional<String> refused = readIndex(deadline);
            if (refused.isEmpty()) {
                return;
            }
            // Leadership is changing (a new leader not ready yet, a step-down): ask again shortly.
            failure = refused.get();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreClosedException("interrupted while waiting for a read index");
            }
        }
        throw notLeader("a linearizable read could not be confirmed by a majority within " + options.writeTimeout()
                + " (" + failure + ")");
    }

    /** Waits for Raft's read index and for this node to apply up to it; the refusal, if any. */
    private Optional<String> readIndex(long deadline) {
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClient)
                .setServerId(selfId)
                .setGroupId(GROUP)
                .setCallId(callIds.incrementAndGet())
                .setMessage(Message.valueOf(ByteString.copyFrom(Queries.encode(new Queries.Request.Barrier()))))
                .setType(RaftClientRequest.readRequestType())
                .build();
        try {
            long waitNanos = Math.max(1, deadline - System.nanoTime());
            RaftClientReply reply = server.submitClientRequestAsync(request).get(waitNanos, TimeUnit.NANOSECONDS);
            return reply.isSuccess()
                    ? Optional.empty()
                    : Optional.of(String.valueOf(reply.getException().getMessage()));
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.of(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreClosedException("interrupted while waiting for a read index");
        }
    }

    // ------------------------------------------------------------------ membership and status

    private RaftServer.Division division() {
        try {
            return server.getDivision(GROUP);
        } catch (IOException e) {
            throw new StoreClosedException("node " + options.nodeId() + " is not running: " + e.getMessage());
        }
    }

    private DivisionInfo info() {
        return division().getInfo();
    }

    /** The leader this node knows of (itself included). */
    public Optional<ClusterMember> leader() {
        try {
            RaftServer.Division d = server.getDivision(GROUP);
            RaftPeerId leader = d.getInfo().getLeaderId();
            if (leader == null) {
                return Optional.empty();
            }
            RaftPeer peer = d.getRaftConf().getPeer(leader);
            return peer == null ? Optional.empty() : member(peer);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public boolean isLeader() {
        try {
            DivisionInfo i = info();
            return i.isLeader() && i.isLeaderReady();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Waits until some node leads and this node knows it; false when none did in time. */
    public boolean awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ClusterMember> leader = leader();
            if (leader.isPresent() && (!leader.get().id().equals(options.nodeId()) || isLeader())) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** What this node knows of the cluster now. */
    public ClusterStatus status() {
        RaftServer.Division d;
        try {
            d = server.getDivision(GROUP);
        } catch (IOException | RuntimeException e) {
            return new ClusterStatus(
                    options.nodeId(),
                    ClusterStatus.Role.DOWN,
                    0,
                    Optional.empty(),
                    -1,
                    -1,
                    -1,
                    List.of(),
                    electionsSeen());
        }
        DivisionInfo info = d.getInfo();
        ClusterStatus.Role role = roleOf(info, d);
        long commit = d.getRaftLog().getLastCommittedIndex();
        Map<String, Long> commits = new HashMap<>();
        for (CommitInfoProto c : d.getCommitInfos()) {
            commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
        }
        Map<String, Long> lastHeardMs = followerContact(info.getRoleInfoProto());
        RaftPeerId leaderId = info.getLeaderId();
        List<ClusterStatus.Member> members = new ArrayList<>();
        long aliveWithinMs = options.electionTimeoutMax().toMillis() * 2;
        for (RaftPeer peer : d.getRaftConf().getAllPeers()) {
            Optional<ClusterMember> m = member(peer);
            if (m.isEmpty()) {
                continue;
            }
            String id = m.get().id();
            boolean isSelf = id.equals(options.nodeId());
            boolean isLeader = leaderId != null && leaderId.toString().equals(id);
            ClusterStatus.Role memberRole =
                    isSelf ? role : isLeader ? ClusterStatus.Role.LEADER : ClusterStatus.Role.FOLLOWER;
            // Only the leader hears from every member; a follower cannot tell a live follower from
            // a dead one, and reports it alive so that clients preferring followers can pick it
            // (they move on when it does not answer).
            boolean alive = isSelf || !info.isLeader() || lastHeardMs.getOrDefault(id, Long.MAX_VALUE) < aliveWithinMs;
            long memberCommit = commits.getOrDefault(id, -1L);
            long lag = info.isLeader() && memberCommit >= 0 ? Math.max(0, commit - memberCommit) : -1;
            if (info.isLeader() && !alive) {
                memberRole = ClusterStatus.Role.DOWN;
            }
            members.add(new ClusterStatus.Member(m.get(), memberRole, memberCommit, lag, alive));
        }
        long head = -1;
        try {
            head = state.replica().store().headPosition();
        } catch (RuntimeException e) {
            // not open yet, or closed
        }
        return new ClusterStatus(
                options.nodeId(),
                role,
                info.getCurrentTerm(),
                leader(),
                commit,
                info.getLastAppliedIndex(),
                head,
                members,
                electionsSeen());
    }

    private ClusterStatus.Role roleOf(DivisionInfo info, RaftServer.Division d) {
        if (closed || !info.isAlive() || state.failure() != null) {
            return ClusterStatus.Role.DOWN;
        }
        if (info.isLeader()) {
            return ClusterStatus.Role.LEADER;
        }
        if (info.isCandidate()) {
            return ClusterStatus.Role.CANDIDATE;
        }
        if (d.getRaftConf().getPeer(selfId) == null) {
            return ClusterStatus.Role.JOINING;
        }
        return ClusterStatus.Role.FOLLOWER;
    }

    /** On the leader: how long ago each follower last answered, by id. */
    private static Map<String, Long> followerContact(RoleInfoProto roleInfo) {
        Map<String, Long> out = new HashMap<>();
        if (roleInfo.hasLeaderInfo()) {
            for (ServerRpcProto f : roleInfo.getLeaderInfo().getFollowerInfoList()) {
                out.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
            }
        }
        return out;
    }

    private void leaderChanged(RaftPeerId leader) {
        long term = 0;
        try {
            term = info().getCurrentTerm();
        } catch (RuntimeException e) {
            // closing
        }
        synchronized (elections) {
            elections.addFirst(new ClusterStatus.Election(Instant.now(), term, leader.toString()));
            while (elections.size() > MAX_ELECTIONS_KEPT) {
                elections.removeLast();
            }
        }
        LOG.log(System.Logger.Level.INFO, "node " + options.nodeId() + ": " + leader + " leads in term " + term);
        for (Runnable listener : leaderListeners) {
            // Ratis calls this under its own locks: listeners run elsewhere.
            Thread.ofVirtual().name("factum-leader-change").start(listener);
        }
    }

    /**
     * Runs {@code listener} (on a thread of its own) after each leader change this node sees, for
     * services that only the leader runs (persistent subscriptions). A listener that needs the
     * leader's state first calls {@link #awaitReady}.
     */
    public void onLeaderChange(Runnable listener) {
        leaderListeners.add(listener);
    }

    /**
     * Waits (at most {@code timeout}) until this node either follows a known leader, or leads and
     * has applied every entry committed before its term began; false on timeout.
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !closed) {
            DivisionInfo info = info();
            if (info.isLeader() ? info.isLeaderReady() : info.getLeaderId() != null) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private List<ClusterStatus.Election> electionsSeen() {
        synchronized (elections) {
            return List.copyOf(elections);
        }
    }

    /**
     * Adds a member (started with {@code join}) to the cluster, through the leader: it copies the
     * store, then takes part. Returns once the new configuration is committed.
     */
    public void addMember(ClusterMember member) throws IOException {
        changeConfiguration(current -> {
            if (current.stream().anyMatch(p -> p.getId().toString().equals(member.id()))) {
                throw new IllegalArgumentException("node " + member.id() + " is already a member");
            }
            List<RaftPeer> next = new ArrayList<>(current);
            next.add(peer(member));
            return next;
        });
    }

    /** Removes a member from the cluster, through the leader. */
    public void removeMember(String id) throws IOException {
        changeConfiguration(current -> {
            List<RaftPeer> next = current.stream()
                    .filter(p -> !p.getId().toString().equals(id))
                    .toList();
            if (next.size() == current.size()) {
                throw new IllegalArgumentException("node " + id + " is not a member");
            }
            if (next.isEmpty()) {
                throw new IllegalArgumentException("the last member cannot be removed");
            }
            return next;
        });
    }

    private void changeConfiguration(java.util.function.UnaryOperator<List<RaftPeer>> change) throws IOException {
        checkOpen();
        Collection<RaftPeer> current = division().getRaftConf().getCurrentPeers();
        List<RaftPeer> next = change.apply(List.copyOf(current));
        try (RaftClient client = adminClient(current)) {
            RaftClientReply reply = client.admin()
                    .setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                            .setServersInCurrentConf(List.copyOf(current))
                            .setServersInNewConf(next)
                            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                            .build());
            if (!reply.isSuccess()) {
                throw new IOException(
                        "the cluster refused the change: "
                                + reply.getException().getMessage(),
                        reply.getException());
            }
        }
    }

    private RaftClient adminClient(Collection<RaftPeer> peers) {
        return RaftClient.newBuilder()
                .setRaftGroup(RaftGroup.valueOf(GROUP, List.copyOf(peers)))
                .setProperties(RaftSetup.clientProperties(Duration.ofSeconds(30)))
                .setRetryPolicy(RaftSetup.boundedRetry(20))
                .build();
    }

    /** Queries another node's state machine, for a copy of its store. */
    private StateTransfer.Source transferSource(RaftPeer source) {
        RaftPeerId from = source.getId();
        RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(RaftGroup.valueOf(GROUP, source))
                .setProperties(RaftSetup.clientProperties(Duration.ofSeconds(60)))
                .setRetryPolicy(RaftSetup.boundedRetry(10))
                .build();
        return new StateTransfer.Source() {
            @Override
            public byte[] query(byte[] request) throws IOException {
                RaftClientReply reply =
                        client.io().sendStaleRead(Message.valueOf(ByteString.copyFrom(request)), 0, from);
                if (!reply.isSuccess()) {
                    throw new IOException("node " + from + " did not answer: " + reply.getException());
                }
                return reply.getMessage().getContent().toByteArray();
            }

            @Override
            public void close() {
                try {
                    client.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing a transfer client failed", e);
                }
            }
        };
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("node " + options.nodeId() + " is shut down");
        }
    }

    /** Stops the node: pending appends fail, Raft stops, the store is closed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        proposer.close();
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the Raft server of node " + options.nodeId() + " failed", e);
        }
    }
}
