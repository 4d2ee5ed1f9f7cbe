package io.factum.server.metrics;

import io.factum.api.EventStore;
import io.factum.api.FactumException;
import io.factum.cluster.ClusterStatus;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.EngineStats;
import io.factum.engine.FlushLatency;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One Prometheus scrape: the server's counters, the store's state (with the engine's statistics when
 * the store is the embedded engine, including its group-commit flush latency), and the JVM's memory,
 * garbage collection and threads. Thread-safe.
 */
public final class MetricsExporter {

    /** The content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = PrometheusText.CONTENT_TYPE;

    private final ServerMetrics metrics;
    private final EventStore store;
    private final Clock clock;
    private final Instant started;

    public MetricsExporter(ServerMetrics metrics, EventStore store, Clock clock, Instant started) {
        this.metrics = metrics;
        this.store = store;
        this.clock = clock;
        this.started = started;
    }

    /** The metrics text, as of now. */
    public String scrape() {
        var out = new PrometheusText();
        OptionalHead head = head();
        out.family("factum_up", "gauge", "1 when the store is open and serving reads, 0 when it is closed.");
        out.sample(head.open ? 1 : 0);
        out.family("factum_uptime_seconds", "gauge", "Seconds since the server started.");
        out.sample(Duration.between(started, clock.instant()).toMillis() / 1000.0);
        out.family("factum_store_head_position", "gauge", "Position of the newest committed event, -1 when empty.");
        out.sample(head.position);
        out.family(
                "factum_store_read_only",
                "gauge",
                "1 when a write failure made the store read-only (reads still served, writes refused), else 0.");
        out.sample(head.open && StoreState.readOnly(store).isPresent() ? 1 : 0);
        metrics.write(out, head.position);
        engineStats().ifPresent(stats -> writeEngine(out, stats));
        StoreState.cluster(store).ifPresent(node -> writeCluster(out, node.status()));
        writeJvm(out);
        return out.text();
    }

    private record OptionalHead(boolean open, long position) {}

    private OptionalHead head() {
        try {
            return new OptionalHead(true, store.headPosition());
        } catch (FactumException e) {
            return new OptionalHead(false, -1);
        }
    }

    /** The node's role, Raft term and indexes, each member's lag, and the elections it saw. */
    private static void writeCluster(PrometheusText out, ClusterStatus status) {
        out.family(
                "factum_cluster_role",
                "gauge",
                "1 for this node's current role (leader, follower, candidate, joining, down).");
        for (ClusterStatus.Role role : ClusterStatus.Role.values()) {
            out.sample(status.role() == role ? 1 : 0, "role", role.name().toLowerCase(java.util.Locale.ROOT));
        }
        out.family("factum_cluster_term", "gauge", "The current Raft term: it grows by one or more at each election.");
        out.sample(status.term());
        out.family("factum_cluster_commit_index", "gauge", "The newest Raft entry this node knows a majority holds.");
        out.sample(status.commitIndex());
        out.family("factum_cluster_applied_index", "gauge", "The newest Raft entry applied to this node's store.");
        out.sample(status.appliedIndex());
        out.family(
                "factum_cluster_member_lag_entries",
                "gauge",
                "On the leader: how many committed entries each member has yet to acknowledge.");
        for (ClusterStatus.Member m : status.members()) {
            if (m.lagEntries() >= 0) {
                out.sample(m.lagEntries(), "member", m.member().id());
            }
        }
        out.family(
                "factum_cluster_member_up",
                "gauge",
                "1 when this node heard from the member recently (the leader knows for each).");
        for (ClusterStatus.Member m : status.members()) {
            out.sample(m.alive() ? 1 : 0, "member", m.member().id());
        }
        out.family(
                "factum_cluster_elections_seen",
                "gauge",
                "Leader changes this node saw since it started (the newest 16 are kept).");
        out.sample(status.elections().size());
        if (!status.elections().isEmpty()) {
            out.family(
                    "factum_cluster_last_election_seconds",
                    "gauge",
                    "Unix time of the newest leader change this node saw.");
            out.sample(status.elections().get(0).at().toEpochMilli() / 1000.0);
        }
    }

    private Optional<EngineStats> engineStats() {
        if (!(store instanceof EmbeddedEventStore engine)) {
            return Optional.empty();
        }
        try {
            return Optional.of(engine.stats());
        } catch (FactumException e) {
            return Optional.empty(); // closed or failed: factum_up says so
        }
    }

    private static void writeEngine(PrometheusText out, EngineStats stats) {
        gauge(out, "factum_store_events", "Records in the log.", stats.eventCount());
        gauge(out, "factum_store_streams", "Distinct streams indexed.", stats.streamCount());
        gauge(out, "factum_store_segments", "Log segment files.", stats.segmentCount());
        gauge(out, "factum_store_log_bytes", "Bytes in all log segments.", stats.logBytes());
        gauge(
                out,
                "factum_store_indexed_up_to_position",
                "The persisted index covers every record up to this position.",
                stats.indexedUpToPosition());
        gauge(out, "factum_store_index_files", "Persisted index files.", stats.indexFileCount());
        gauge(out, "factum_store_index_bytes", "Bytes in index files.", stats.indexBytes());
        gauge(out, "factum_store_write_queue_depth", "Appends waiting for the writer thread.", stats.writeQueueDepth());
        out.family("factum_store_appends_committed_total", "counter", "Appends committed since the store opened.");
        out.sample(stats.appendsCommitted());
        out.family("factum_store_fsyncs_total", "counter", "Group-commit fsyncs since the store opened.");
        out.sample(stats.syncs());
        writeFlushLatency(out, stats.flushLatency());
    }

    private static void writeFlushLatency(PrometheusText out, FlushLatency latency) {
        out.family(
                "factum_store_flush_seconds",
                "histogram",
                "Group-commit flush latency: writing a group's frames and fsyncing them.");
        for (int i = 0; i < latency.upperBoundsMicros().size(); i++) {
            out.sampleOf(
                    "_bucket",
                    latency.cumulativeCounts().get(i),
                    "le",
                    Double.toString(latency.upperBoundsMicros().get(i) / 1e6));
        }
        out.sampleOf("_bucket", latency.count(), "le", "+Inf");
        out.sampleOf("_sum", latency.sumNanos() / 1e9);
        out.sampleOf("_count", latency.count());
    }

    private static void writeJvm(PrometheusText out) {
        var memory = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        out.family("jvm_memory_used_bytes", "gauge", "Memory in use, by area.");
        out.sample(heap.getUsed(), "area", "heap");
        out.sample(nonHeap.getUsed(), "area", "nonheap");
        out.family("jvm_memory_committed_bytes", "gauge", "Memory committed by the JVM, by area.");
        out.sample(heap.getCommitted(), "area", "heap");
        out.sample(nonHeap.getCommitted(), "area", "nonheap");
        out.family("jvm_memory_max_bytes", "gauge", "Largest heap the JVM may use (-1 when unbounded).");
        out.sample(heap.getMax(), "area", "heap");
        out.family("jvm_gc_collections_total", "counter", "Garbage collections, by collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.sample(Math.max(0, gc.getCollectionCount()), "gc", gc.getName());
        }
        out.family("jvm_gc_collection_seconds_total", "counter", "Time spent in garbage collection, by collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            out.sample(Math.max(0, gc.getCollectionTime()) / 1000.0, "gc", gc.getName());
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(out, "jvm_threads_live", "Live platform threads.", threads.getThreadCount());
        gauge(out, "jvm_threads_daemon", "Live daemon platform threads.", threads.getDaemonThreadCount());
        gauge(out, "jvm_threads_peak", "Most live platform threads at once since start.", threads.getPeakThreadCount());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            out.family("process_cpu_seconds_total", "counter", "CPU time used by the server process.");
            out.sample(Math.max(0, os.getProcessCpuTime()) / 1e9);
        }
    }

    private static void gauge(PrometheusText out, String name, String help, double value) {
        out.family(name, "gauge", help);
        out.sample(value);
    }
}
