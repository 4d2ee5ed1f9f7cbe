package io.factum.cluster;

import io.factum.api.InvalidInputException;
import io.factum.engine.Durability;
import io.factum.engine.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a node of a cluster runs.
 *
 * @param nodeId this node's id, one of {@code members} (or the node being added, when joining)
 * @param members the cluster's members as this node starts; a joining node lists the members it
 *     can reach and itself
 * @param join start as a new member of a running cluster: the node waits for the leader to add it
 *     ({@code factum cluster add}) instead of taking part in elections with {@code members}
 * @param dataDir the node's directory: {@code store/} (its engine), {@code journal/} (which Raft
 *     entry wrote which frame), {@code raft/} (the Raft log)
 * @param engine how the node's store is opened; its data directory is replaced by {@code
 *     dataDir/store}, and it runs without per-write fsync unless set otherwise: the Raft log, which
 *     a majority has fsynced before an append is acknowledged, is what is durable
 * @param electionTimeoutMin a follower that hears nothing from a leader for a random time between
 *     the two bounds starts an election
 * @param writeTimeout how long an append waits for a majority before it fails with an unknown
 *     outcome ({@link io.factum.api.NotLeaderException})
 * @param maxInFlightEntries Raft entries a leader has proposed and not yet applied; appends arriving
 *     meanwhile are batched into the next entry (group commit across the cluster)
 * @param maxEntryBytes most payload bytes batched into one entry (a larger single append goes alone)
 * @param snapshotEveryEntries a node checkpoints its store and lets its Raft log be purged after
 *     this many entries
 * @param raftSegmentBytes size of a Raft log segment; the log is purged a whole segment at a time
 */
public record ClusterOptions(
        String nodeId,
        List<ClusterMember> members,
        boolean join,
        Path dataDir,
        EngineOptions engine,
        Duration electionTimeoutMin,
        Duration electionTimeoutMax,
        Duration writeTimeout,
        int maxInFlightEntries,
        int maxEntryBytes,
        long snapshotEveryEntries,
        long raftSegmentBytes) {

    public ClusterOptions {
        Objects.requireNonNull(nodeId, "nodeId");
        members = List.copyOf(members);
        Objects.requireNonNull(dataDir, "dataDir");
        engine = Objects.requireNonNull(engine, "engine").withDataDir(dataDir.resolve("store"));
        if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
            throw new InvalidInputException(
                    "--node", nodeId, "is not one of the cluster's members " + members + "; name it in --cluster too");
        }
        if (electionTimeoutMin.isNegative()
                || electionTimeoutMin.isZero()
                || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
            throw new InvalidInputException(
                    "election timeout", electionTimeoutMin + ".." + electionTimeoutMax, "needs 0 < min < max");
        }
        if (maxInFlightEntries < 1) {
            throw new InvalidInputException("maxInFlightEntries", maxInFlightEntries, "must be >= 1");
        }
        if (maxEntryBytes < (1 << 16)) {
            throw new InvalidInputException("maxEntryBytes", maxEntryBytes, "must be at least 65536");
        }
        if (raftSegmentBytes < (1 << 16)) {
            throw new InvalidInputException("raftSegmentBytes", raftSegmentBytes, "must be at least 65536");
        }
        if (snapshotEveryEntries < 1) {
            throw new InvalidInputException("snapshotEveryEntries", snapshotEveryEntries, "must be >= 1");
        }
    }

    /** Defaults for a node: elections after 1-2 s of silence, writes wait 10 s for a majority. */
    public static ClusterOptions defaults(String nodeId, List<ClusterMember> members, Path dataDir) {
        return new ClusterOptions(
                nodeId,
                members,
                false,
                dataDir,
                EngineOptions.defaults(dataDir.resolve("store"))
                        .withDurability(Durability.NO_FSYNC)
                        // One entry per record on a replica: 262,144 newest positions recognise a retry.
                        .withIdempotencyCacheEntries(1 << 19),
                Duration.ofMillis(1000),
                Duration.ofMillis(2000),
                Duration.ofSeconds(10),
                4,
                8 << 20,
                20_000,
                64L << 20);
    }

    public ClusterMember self() {
        return members.stream().filter(m -> m.id().equals(nodeId)).findFirst().orElseThrow();
    }

    public ClusterOptions withJoin(boolean newJoin) {
        return edit(b -> b.join = newJoin);
    }

    public ClusterOptions withEngine(EngineOptions newEngine) {
        return edit(b -> b.engine = newEngine);
    }

    public ClusterOptions withElectionTimeout(Duration min, Duration max) {
        return edit(b -> {
            b.electionTimeoutMin = min;
            b.electionTimeoutMax = max;
        });
    }

    public ClusterOptions withWriteTimeout(Duration timeout) {
        return edit(b -> b.writeTimeout = timeout);
    }

    public ClusterOptions withSnapshotEveryEntries(long entries) {
        return edit(b -> b.snapshotEveryEntries = entries);
    }

    public ClusterOptions withMaxInFlightEntries(int entries) {
        return edit(b -> b.maxInFlightEntries = entries);
    }

    public ClusterOptions withRaftSegmentBytes(long bytes) {
        return edit(b -> b.raftSegmentBytes = bytes);
    }

    /** A copy with some components changed; validated again by the constructor. */
    private ClusterOptions edit(java.util.function.Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new ClusterOptions(
                c.nodeId,
                c.members,
                c.join,
                c.dataDir,
                c.engine,
                c.electionTimeoutMin,
                c.electionTimeoutMax,
                c.writeTimeout,
                c.maxInFlightEntries,
                c.maxEntryBytes,
                c.snapshotEveryEntries,
                c.raftSegmentBytes);
    }

    private static final class Copy {
        String nodeId;
        List<ClusterMember> members;
        boolean join;
        Path dataDir;
        EngineOptions engine;
        Duration electionTimeoutMin;
        Duration electionTimeoutMax;
        Duration writeTimeout;
        int maxInFlightEntries;
        int maxEntryBytes;
        long snapshotEveryEntries;
        long raftSegmentBytes;

        Copy(ClusterOptions o) {
            nodeId = o.nodeId;
            members = o.members;
            join = o.join;
            dataDir = o.dataDir;
            engine = o.engine;
            electionTimeoutMin = o.electionTimeoutMin;
            electionTimeoutMax = o.electionTimeoutMax;
            writeTimeout = o.writeTimeout;
            maxInFlightEntries = o.maxInFlightEntries;
            maxEntryBytes = o.maxEntryBytes;
            snapshotEveryEntries = o.snapshotEveryEntries;
            raftSegmentBytes = o.raftSegmentBytes;
        }
    }
}
