package io.factum.cluster.internal;

import io.factum.cluster.ClusterMember;
import io.factum.cluster.ClusterOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/** Factum's Ratis configuration, in one place, with the reason for each setting. */
public final class RaftSetup {
    private static final long MIB = 1 << 20;

    private RaftSetup() {}

    /**
     * Ratis calls {@code System.exit} when its port is taken, and replaces the JVM's handler of
     * uncaught exceptions on first use of {@link ExitUtils}: a store embedded in an application must
     * do neither, so exits become exceptions and the previous handler is put back.
     */
    public static synchronized void preventExit() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        ExitUtils.disableSystemExit();
        ExitUtils.setTerminateOnUncaughtException(false);
        Thread.setDefaultUncaughtExceptionHandler(previous);
        // Ratis logs every RPC and election at INFO; Factum reports elections itself.
        quietRatis.setLevel(java.util.logging.Level.parse(System.getProperty("factum.ratis.log", "WARNING")));
    }

    /** Held so that the level set on it is not lost when the logger is collected. */
    private static final java.util.logging.Logger quietRatis = java.util.logging.Logger.getLogger("org.apache.ratis");

    public static RaftProperties serverProperties(ClusterOptions options) {
        ClusterMember self = options.self();
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(
                p, List.of(options.dataDir().resolve("raft").toFile()));
        GrpcConfigKeys.Server.setHost(p, self.host());
        GrpcConfigKeys.Server.setPort(p, self.raftPort());

        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(options.electionTimeoutMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(options.electionTimeoutMax()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(
                p, millis(options.electionTimeoutMax().multipliedBy(3)));

        // Acknowledge only what a majority has fsynced: the store writes without fsync and the
        // Raft log is what is durable.
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        // A follower composing appends asynchronously accepts an entry whose previous entry is
        // still pending; after a partition heals, with the leader resending from several points,
        // it answered success for entries it never kept: the leader then believed the follower
        // further along than its log, and sent it nothing for good (seen in ClusterFaultTest's
        // partition scenario with Ratis 3.3.0). Appended in order, the follower catches up.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);

        // A node too far behind copies the leader's store (ReplicatedState); Ratis sends no files.
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, options.snapshotEveryEntries());
        // Purge up to the snapshot even when a member is down: it catches up by copying the store.
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(options.raftSegmentBytes()));
        RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, Math.min(options.snapshotEveryEntries(), 10_000));

        // Reads on the leader are linearizable: a read index, answered locally while the leader's
        // lease (heartbeats a majority acknowledged) holds.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);

        // One entry holds a batch of appends, or one append of the largest size the limits allow.
        long entry = Math.max(options.maxEntryBytes(), options.engine().limits().maxAppendBytes()) + 8 * MIB;
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entry));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entry + MIB));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(entry + 2 * MIB));
        RaftServerConfigKeys.Log.setQueueByteLimit(p, SizeInBytes.valueOf(Math.max(128 * MIB, 4 * entry)));
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(Math.max(256 * MIB, 8 * entry)));
        return p;
    }

    /** Properties for a Ratis client that talks to the nodes (membership changes, store copies). */
    public static RaftProperties clientProperties(Duration requestTimeout) {
        RaftProperties p = new RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(p, millis(requestTimeout));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(64 * MIB));
        return p;
    }

    /** A bounded retry: Ratis' default retries for ever. */
    public static RetryPolicy boundedRetry(int attempts) {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                attempts, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
    }

    private static TimeDuration millis(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }
}
