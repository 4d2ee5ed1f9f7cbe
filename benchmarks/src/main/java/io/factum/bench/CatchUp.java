package io.factum.bench;

import com.eventstore.dbclient.EventStoreDBClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The catch-up phase of {@code bench cluster}: a node that lost its data comes back as a new
 * member and copies the store from the leader. A follower is stopped, its data directory deleted,
 * and it is removed from the cluster ({@code DELETE /cluster/members/ID}); the two others then take
 * {@code --catchup-events} batched events, as fast as they can. The node is started again with
 * {@code --join} and, once it listens, added ({@code POST /cluster/members}); measured from just
 * before the POST until its {@code /info} head position equals the leader's (nothing writes
 * meanwhile, so the leader's head stands still).
 *
 * <p>The node copies the store in chunks ({@code StateTransfer}) only when the leader no longer
 * has the start of its Raft log; otherwise it replays the leader's log. Ratis purges the log only
 * after a snapshot, every 20,000 entries, and a batched append is one entry: a million events in
 * batches of 1,000 are 1,000 entries. So after the events asked for, small appends (4 writers, the
 * cluster's 4 entries in flight, 100 events per call, each call one entry) go on until every
 * the leader's Raft log no longer starts at index 0, for at most {@link #PURGE_WAIT}. Which way
 * the node caught up is read from its output and reported.
 *
 * <p>Used once, by the scenario thread.
 */
final class CatchUp {

    private static final int PURGE_WRITERS = 4;
    private static final int PURGE_BATCH = 100;
    private static final Duration PURGE_WAIT = Duration.ofMinutes(10);
    private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration CATCHUP_WAIT = Duration.ofMinutes(30);
    private static final Duration WRITE_WAIT = Duration.ofHours(2);
    private static final Duration POLL = Duration.ofMillis(50);
    /** What the node logs after a copy of the store (ReplicatedState). */
    private static final String COPIED = "copied the store from";

    private final RunContext ctx;
    private final ClusterBenchCommand options;
    private final LocalCluster cluster;
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    CatchUp(RunContext ctx, ClusterBenchCommand options, LocalCluster cluster) {
        this.ctx = ctx;
        this.options = options;
        this.cluster = cluster;
    }

    Outcome run() throws Exception {
        String leader = cluster.awaitLeader(Duration.ofSeconds(60));
        String away = cluster.runningIds().stream()
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow(() -> new BenchmarkFailedException("no follower is running to replace"));
        progress("catch-up: stopping follower " + away + ", deleting its data directory, removing it");
        cluster.stop(away);
        RunContext.deleteTree(cluster.dataDir(away));
        cluster.removeMember(away, MEMBERSHIP_TIMEOUT);
        long extra;
        EventStoreDBClient client = cluster.newClient();
        try {
            write(client, away);
            extra = writeUntilPurged(client);
        } finally {
            ClusterPhases.shutdown(client);
        }
        long head = cluster.awaitEqualHeads(Duration.ofMinutes(5));
        String logStarts = logStarts();
        cluster.start(away, true);
        progress("catch-up: " + away + " listens (--join); adding it, the leader's head is at position "
                + String.format(Locale.ROOT, "%,d", head) + "; Raft logs start at " + logStarts);
        double seconds = timeCatchUp(away, head);
        report(away, head, seconds, extra, logStarts);
        return new Outcome(figures, List.of(), notes);
    }

    /** The {@code --catchup-events}, batched, on the two remaining nodes. */
    private void write(EventStoreDBClient client, String away) throws InterruptedException {
        var config = new BackgroundWriters.Config(
                options.batchWriters,
                options.batchSize,
                ctx.eventSize(),
                "cluster-catchup-",
                options.catchupEvents,
                false);
        String label = "cluster: catch-up, writing while " + away + " is away, " + options.batchWriters + " writers x "
                + options.batchSize + " events";
        long t0 = System.nanoTime();
        BackgroundWriters writers = BackgroundWriters.start(client, config, (s, e) -> {});
        try (Progress p = Progress.start(ctx, label, "events", writers::appended, options.catchupEvents)) {
            writers.awaitDone(WRITE_WAIT);
        } finally {
            writers.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        figures.add(Figure.of(
                "catch-up: writes while " + away + " was away (" + (ClusterPhases.NODES - 1) + " nodes, "
                        + options.batchWriters + " writers x " + options.batchSize + " events): events/s",
                writers.appended() / seconds,
                "events/s"));
    }

    /** Small appends until the leader's Raft log no longer starts at 0; returns the events they wrote. */
    private long writeUntilPurged(EventStoreDBClient client) throws IOException, InterruptedException {
        if (purged()) {
            return 0;
        }
        var config =
                new BackgroundWriters.Config(PURGE_WRITERS, PURGE_BATCH, ctx.eventSize(), "cluster-purge-", 0, false);
        String label = "cluster: catch-up, small appends until the leader purges the start of its Raft log";
        long deadline = System.nanoTime() + PURGE_WAIT.toNanos();
        BackgroundWriters writers = BackgroundWriters.start(client, config, (s, e) -> {});
        try (Progress p = Progress.start(ctx, label, "events", writers::appended, -1)) {
            while (!purged() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
        } finally {
            writers.close();
        }
        if (!purged()) {
            notes.add(
                    "catch-up: the leader's Raft log still started at index 0 after " + Units.formatDuration(PURGE_WAIT)
                            + " of small appends: the node could replay the leader's log instead of copying the store");
        }
        return writers.appended();
    }

    /**
     * Whether the leader's Raft log no longer starts at index 0. Only the leader's counts: it is
     * the one that tells the new member where its log starts. Each node snapshots 20,000 entries
     * after its own last one (a restart also takes one), so the nodes purge at different times.
     */
    private boolean purged() throws IOException, InterruptedException {
        OptionalLong start = cluster.raftLogStart(cluster.awaitLeader(Duration.ofSeconds(60)));
        return start.isPresent() && start.getAsLong() > 0;
    }

    private String logStarts() throws IOException {
        List<String> starts = new ArrayList<>();
        for (String id : cluster.runningIds()) {
            OptionalLong start = cluster.raftLogStart(id);
            starts.add(id + " " + (start.isPresent() ? "index " + start.getAsLong() : "no segment"));
        }
        return String.join(", ", starts);
    }

    /** Adds the node and waits until its head position is {@code head}; returns the seconds. */
    private double timeCatchUp(String away, long head) throws Exception {
        AtomicLong copied = new AtomicLong();
        long t0 = System.nanoTime();
        CompletableFuture<Double> added = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        cluster.addMember(away, MEMBERSHIP_TIMEOUT);
                        return (System.nanoTime() - t0) / 1e9;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new BenchmarkFailedException("interrupted while adding " + away, e);
                    }
                },
                r -> Thread.ofVirtual().name("bench-add-member").start(r));
        long deadline = t0 + CATCHUP_WAIT.toNanos();
        String label = "cluster: catch-up, " + away + " copies the store";
        try (Progress p = Progress.start(ctx, label, "events", copied::get, head + 1)) {
            while (true) {
                OptionalLong at = cluster.info(away).stream()
                        .mapToLong(LocalCluster.NodeInfo::headPosition)
                        .findFirst();
                at.ifPresent(h -> copied.set(h + 1));
                if (at.isPresent() && at.getAsLong() == head) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new BenchmarkFailedException(away + " reached position " + (copied.get() - 1) + " of " + head
                            + " within " + Units.formatDuration(CATCHUP_WAIT));
                }
                Thread.sleep(POLL);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        awaitAdded(away, added);
        return seconds;
    }

    /**
     * Waits for the POST's answer, then until the node is a follower in the leader's configuration.
     * A POST that got no answer is reported, not fatal: the change can go through regardless.
     */
    private void awaitAdded(String away, CompletableFuture<Double> added) throws Exception {
        try {
            double answered = added.get(MEMBERSHIP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            figures.add(Figure.of("catch-up: POST /cluster/members answered after", answered, "s"));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UncheckedIOException io)) {
                throw e;
            }
            notes.add("catch-up: POST /cluster/members got no answer ("
                    + io.getCause().getMessage() + "); the node was checked to be a member afterwards");
            progress("catch-up: POST /cluster/members got no answer: " + io.getCause());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            String leader = cluster.awaitLeader(Duration.ofSeconds(60));
            var leaderInfo = cluster.info(leader);
            var awayInfo = cluster.info(away);
            if (leaderInfo.isPresent()
                    && leaderInfo.get().members().contains(away)
                    && awayInfo.isPresent()
                    && awayInfo.get().role().equals("follower")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new BenchmarkFailedException(away + " caught up but is not a follower in " + leader
                        + "'s configuration 5 minutes later: " + leaderInfo + ", " + awayInfo);
            }
            Thread.sleep(POLL);
        }
    }

    /**
     * The figures. Events are the positions the node holds ({@code head + 1}; positions are
     * consecutive from 0). The bytes are the events' data, every event written by this benchmark
     * being {@code --event-size} bytes of data without metadata: a cluster node's {@code /metrics}
     * has no {@code factum_store_log_bytes} (it exports engine gauges only for an embedded store),
     * and its segment files are preallocated, so their size says nothing.
     */
    private void report(String away, long head, double seconds, long extra, String logStarts) throws IOException {
        long events = head + 1;
        double mib = (double) events * ctx.eventSize() / (1 << 20);
        boolean copiedStore = cluster.logContains(away, COPIED);
        String p = "catch-up of " + away + " (" + (copiedStore ? "store copied" : "Raft log replayed") + ", "
                + String.format(Locale.ROOT, "%,d events, %,.1f MiB of event data", events, mib) + "): ";
        figures.add(Figure.of(p + "time to equal head", seconds, "s"));
        figures.add(Figure.of(p + "events/s", events / seconds, "events/s"));
        figures.add(Figure.of(p + "event data MiB/s", mib / seconds, "MiB/s"));
        if (extra > 0) {
            figures.add(Figure.of(
                    "catch-up: small-append events written until the leader purged its Raft log's start",
                    extra,
                    "events"));
        }
        notes.add("catch-up: a follower was stopped, its data directory deleted and the member removed; after the"
                + " writes it was started with --join and added with POST /cluster/members; the time runs from"
                + " just before the POST until its /info headPosition equals the leader's (polled every "
                + POLL.toMillis() + " ms), nothing writing meanwhile. Events: every position of the store"
                + " (all phases' events); MiB: their data (events x --event-size; framing, index and the Raft"
                + " log not counted: a cluster node's /metrics has no store log size). Raft logs when it was"
                + " added: " + logStarts + "; the node's output "
                + (copiedStore
                        ? "says it copied the store from the leader"
                        : "has no store copy: it replayed the log"));
        progress(p + String.format(Locale.ROOT, "%.3f s", seconds));
    }

    private void progress(String line) {
        ctx.err().println("[cluster] " + line);
        ctx.err().flush();
    }
}
