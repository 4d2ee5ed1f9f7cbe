package io.factum.client;

import io.factum.protocol.gossip.ClusterInfo;
import io.factum.protocol.gossip.GossipGrpc;
import io.factum.protocol.gossip.MemberInfo;
import io.factum.protocol.shared.Empty;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds a node through KurrentDB's gossip ({@code Gossip.Read}, which every Factum server answers
 * with each member's state, liveness and client endpoint). It asks the seeds, then the members
 * that earlier answers named, one at a time, each with a short deadline, for the leader (or, for
 * reads, any live node). During an election no member leads yet, so it asks again every {@link
 * #ROUND_PAUSE} until the caller's deadline; when not one node answered a whole round, every node
 * it knows of is down and it gives up at once rather than wait for the deadline.
 *
 * <p>Each search opens its own short-lived channels (a search follows a failure, so it is rare)
 * and shuts them down before it returns. Thread-safe.
 */
final class Discovery {

    /**
     * How long one node may take to answer gossip: one small message that a live node answers in
     * milliseconds, while a host that drops packets would otherwise hold the search up for the
     * whole deadline before the next seed is tried.
     */
    static final Duration GOSSIP_DEADLINE = Duration.ofSeconds(1);

    /** The pause between rounds: elections take about a second, so this adds at most a tenth. */
    static final Duration ROUND_PAUSE = Duration.ofMillis(100);

    /** What the caller needs: the leader (a write), or any node that answers (a read). */
    enum Want {
        LEADER,
        LIVE
    }

    /** What a search found. */
    sealed interface Outcome {
        record Found(ClientOptions.Endpoint node) implements Outcome {}

        /** Nothing in time; {@code why} says what each node last answered, for the caller's error. */
        record NotFound(String why) implements Outcome {}
    }

    private final List<ClientOptions.Endpoint> seeds;
    private final Channels channels;
    // The members the latest answer named: where to look when the seeds are gone. Immutable.
    private volatile List<ClientOptions.Endpoint> learned = List.of();

    Discovery(List<ClientOptions.Endpoint> seeds, Channels channels) {
        this.seeds = List.copyOf(seeds);
        this.channels = channels;
    }

    /**
     * Asks gossip until it names a node that fits, or until {@code deadline}.
     *
     * @param avoid nodes not to pick, such as the one that was just found unreachable (gossip may
     *     still name it as the leader until the others notice it is gone)
     */
    Outcome find(Want want, Deadline deadline, Set<ClientOptions.Endpoint> avoid) {
        Map<ClientOptions.Endpoint, ManagedChannel> open = new LinkedHashMap<>();
        Map<ClientOptions.Endpoint, String> heard = new LinkedHashMap<>();
        try {
            while (true) {
                boolean anyAnswered = false;
                for (ClientOptions.Endpoint node : candidates()) {
                    if (deadline.isExpired()) {
                        return notFound(want, heard);
                    }
                    Optional<ClusterInfo> info = read(open, node, deadline, heard);
                    if (info.isEmpty()) {
                        continue;
                    }
                    anyAnswered = true;
                    learn(info.get());
                    Optional<ClientOptions.Endpoint> pick = pick(want, info.get(), node, avoid);
                    if (pick.isPresent()) {
                        return new Outcome.Found(pick.get());
                    }
                    heard.put(node, describe(info.get(), avoid));
                }
                if (!anyAnswered) {
                    return new Outcome.NotFound("no node answered gossip (" + summary(heard) + ")");
                }
                if (!pause(deadline)) {
                    return notFound(want, heard);
                }
            }
        } finally {
            open.values().forEach(ManagedChannel::shutdownNow);
        }
    }

    /** The seeds, then the members learned from gossip that are not seeds, each once. */
    private List<ClientOptions.Endpoint> candidates() {
        Set<ClientOptions.Endpoint> all = new LinkedHashSet<>(seeds);
        all.addAll(learned);
        return List.copyOf(all);
    }

    private Optional<ClusterInfo> read(
            Map<ClientOptions.Endpoint, ManagedChannel> open,
            ClientOptions.Endpoint node,
            Deadline deadline,
            Map<ClientOptions.Endpoint, String> heard) {
        Deadline shortOne = Deadline.after(GOSSIP_DEADLINE.toNanos(), TimeUnit.NANOSECONDS);
        try {
            ManagedChannel channel = open.computeIfAbsent(node, channels::open);
            return Optional.of(GossipGrpc.newBlockingStub(channel)
                    .withDeadline(shortOne.minimum(deadline))
                    .read(Empty.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            heard.put(node, "no answer (" + e.getStatus().getCode() + ")");
            return Optional.empty();
        }
    }

    private void learn(ClusterInfo info) {
        List<ClientOptions.Endpoint> members = new ArrayList<>();
        for (MemberInfo member : info.getMembersList()) {
            endpoint(member).ifPresent(members::add);
        }
        learned = List.copyOf(members);
    }

    /**
     * The alive leader for a write. For a read also the node that answered (it is live: it just
     * answered) when there is no leader to prefer, then any alive follower.
     */
    private static Optional<ClientOptions.Endpoint> pick(
            Want want, ClusterInfo info, ClientOptions.Endpoint answered, Set<ClientOptions.Endpoint> avoid) {
        Optional<ClientOptions.Endpoint> leader = alive(info, MemberInfo.VNodeState.Leader, avoid);
        if (leader.isPresent() || want == Want.LEADER) {
            return leader;
        }
        if (!avoid.contains(answered)) {
            return Optional.of(answered);
        }
        return alive(info, MemberInfo.VNodeState.Follower, avoid);
    }

    private static Optional<ClientOptions.Endpoint> alive(
            ClusterInfo info, MemberInfo.VNodeState state, Set<ClientOptions.Endpoint> avoid) {
        for (MemberInfo member : info.getMembersList()) {
            if (member.getIsAlive() && member.getState() == state) {
                Optional<ClientOptions.Endpoint> node = endpoint(member).filter(e -> !avoid.contains(e));
                if (node.isPresent()) {
                    return node;
                }
            }
        }
        return Optional.empty();
    }

    /** A member's client endpoint; empty when gossip sent none that could be used. */
    private static Optional<ClientOptions.Endpoint> endpoint(MemberInfo member) {
        try {
            var http = member.getHttpEndPoint();
            return Optional.of(new ClientOptions.Endpoint(http.getAddress(), http.getPort()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String describe(ClusterInfo info, Set<ClientOptions.Endpoint> avoid) {
        List<String> members = new ArrayList<>();
        for (MemberInfo member : info.getMembersList()) {
            String where = endpoint(member)
                    .map(e -> e + (avoid.contains(e) ? " (unreachable)" : ""))
                    .orElse("?");
            members.add(where + " " + member.getState() + (member.getIsAlive() ? "" : " (dead)"));
        }
        return "members " + String.join(", ", members);
    }

    private static Outcome notFound(Want want, Map<ClientOptions.Endpoint, String> heard) {
        String what = want == Want.LEADER ? "no leader" : "no live node";
        return new Outcome.NotFound(what + " found through gossip in time (" + summary(heard) + ")");
    }

    private static String summary(Map<ClientOptions.Endpoint, String> heard) {
        List<String> lines = new ArrayList<>();
        heard.forEach((node, said) -> lines.add(node + ": " + said));
        return lines.isEmpty() ? "no node asked" : String.join("; ", lines);
    }

    /** Sleeps one round pause, or less if the deadline comes first; false when no time is left. */
    static boolean pause(Deadline deadline) {
        long left = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (left <= 0) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, ROUND_PAUSE.toNanos()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !deadline.isExpired();
    }
}
