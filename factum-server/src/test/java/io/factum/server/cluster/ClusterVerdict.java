package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.RecordedEvent;
import com.eventstore.dbclient.ResolvedEvent;
import io.factum.testkit.linearizability.CheckResult;
import io.factum.testkit.linearizability.LinearizabilityChecker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * What every fault scenario checks once the faults healed: every node holds the same {@code $all}
 * (positions, streams, versions, ids, types and a checksum of the data), every acknowledged append
 * is in it exactly once and no event twice, each stream's versions are dense, and the recorded
 * history is linearizable.
 */
final class ClusterVerdict {
    /** One record of {@code $all} as compared across nodes. */
    record Line(long position, String stream, long revision, UUID id, String type, long dataCrc) {
        @Override
        public String toString() {
            return position + " " + stream + "@" + revision + " " + id + " " + type + " " + Long.toHexString(dataCrc);
        }
    }

    private ClusterVerdict() {}

    static List<Line> allOf(String connectionString) throws Exception {
        EventStoreDBClient c = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(connectionString));
        try {
            List<Line> out = new ArrayList<>();
            for (ResolvedEvent e : c.readAll(ReadAllOptions.get().fromStart().maxCount(1_000_000))
                    .get(60, TimeUnit.SECONDS)
                    .getEvents()) {
                RecordedEvent r = e.getEvent();
                CRC32C crc = new CRC32C();
                crc.update(r.getEventData());
                out.add(new Line(
                        r.getPosition().getCommitUnsigned(),
                        r.getStreamId(),
                        r.getRevision(),
                        r.getEventId(),
                        r.getEventType(),
                        crc.getValue()));
            }
            return out;
        } finally {
            c.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until every listed node serves the same $all (they converge once healed), and returns it. */
    static List<Line> sameLogEverywhere(ClusterProcesses cluster, List<String> nodes, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, List<Line>> logs = new LinkedHashMap<>();
        while (true) {
            logs.clear();
            for (String id : nodes) {
                logs.put(id, allOf(cluster.direct("esdb", id)));
            }
            if (logs.values().stream().distinct().count() == 1) {
                return logs.values().iterator().next();
            }
            if (System.nanoTime() > deadline) {
                Map<String, Integer> sizes = new LinkedHashMap<>();
                logs.forEach((id, log) -> sizes.put(id, log.size()));
                throw new AssertionError(
                        "the nodes' $all logs still differ after " + within + " (records per node: " + sizes + ")");
            }
            Thread.sleep(250);
        }
    }

    /** Everything the issue asks of a healed cluster, on the log every node agreed on. */
    static void check(List<Line> log, Workload workload) {
        Map<UUID, Integer> seen = new HashMap<>();
        Map<String, Long> nextVersion = new HashMap<>();
        for (Line line : log) {
            seen.merge(line.id(), 1, Integer::sum);
            if (line.stream().startsWith("$")) {
                continue;
            }
            long expected = nextVersion.getOrDefault(line.stream(), 0L);
            assertThat(line.revision())
                    .as("versions of " + line.stream() + " are dense")
                    .isEqualTo(expected);
            nextVersion.put(line.stream(), expected + 1);
        }
        assertThat(seen.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("no event is stored twice")
                .isEmpty();
        Set<UUID> acknowledged = workload.acknowledged();
        assertThat(acknowledged.stream().filter(id -> !seen.containsKey(id)).toList())
                .as("every acknowledged append is in the log (" + acknowledged.size() + " acknowledged)")
                .isEmpty();
        CheckResult verdict = LinearizabilityChecker.check(workload.history(), Duration.ofSeconds(60));
        assertThat(verdict)
                .as("the history of " + workload.history().size() + " operations is linearizable")
                .isInstanceOf(CheckResult.Linearizable.class);
    }
}
