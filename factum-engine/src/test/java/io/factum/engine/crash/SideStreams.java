package io.factum.engine.crash;

import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SystemNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Metadata changes and soft deletes of streams that never hold events ({@code side-0},
 * {@code side-1}), made one at a time by one thread: each writes one record to the stream's
 * metastream, so operation n of a stream is its metastream version n. What survives a power cut
 * must be a prefix of the operations that holds every acknowledged one: version v with v at least
 * the last acknowledged and below the number submitted, and the metadata of operation v. The
 * check then forgets the lost operations, whose versions the next ones take.
 *
 * <p>Not thread-safe: one thread runs the operations, and the test thread checks between rounds.
 */
final class SideStreams {
    private static final List<String> NAMES = List.of("side-0", "side-1");

    /** One operation: a soft delete, or a metadata change carrying {@code n}. */
    private record Op(boolean delete, int n) {}

    private final Map<String, List<Op>> submitted = new HashMap<>();
    private final Map<String, Integer> acked = new HashMap<>();

    void run(EventStore store, Random random, int operations) {
        for (int i = 0; i < operations; i++) {
            String stream = NAMES.get(random.nextInt(NAMES.size()));
            List<Op> ops = submitted.computeIfAbsent(stream, s -> new ArrayList<>());
            Op op = new Op(random.nextInt(3) == 0, ops.size());
            ops.add(op);
            if (op.delete()) {
                store.delete(stream, ExpectedVersion.any());
            } else {
                store.setStreamMetadata(stream, ExpectedVersion.any(), PowerLossWorkload.metadataOf(op.n()));
            }
            acked.put(stream, op.n());
        }
    }

    /** Problems of the reopened store's side streams; empty when it holds a legal outcome. */
    List<String> check(EventStore store, List<RecordedEvent> all) {
        List<String> problems = new ArrayList<>();
        for (String stream : NAMES) {
            List<Op> ops = submitted.computeIfAbsent(stream, s -> new ArrayList<>());
            StreamMetadataResult found = store.getStreamMetadata(stream);
            long version = found.metastreamVersion();
            String metastream = SystemNames.metastreamOf(stream);
            long inAll = all.stream().filter(e -> e.stream().equals(metastream)).count() - 1;
            if (inAll != version) {
                problems.add(stream + ": getStreamMetadata says metastream version " + version + ", but $all holds "
                        + (inAll + 1) + " records of " + metastream);
            }
            int lastAcked = acked.getOrDefault(stream, -1);
            if (version < lastAcked || version >= ops.size()) {
                problems.add(stream + ": metastream version " + version + " after the cut, but operation " + lastAcked
                        + " was acknowledged and " + ops.size() + " were submitted");
                continue;
            }
            if (version < 0) {
                ops.clear();
                continue;
            }
            Op op = ops.get((int) version);
            boolean right = op.delete()
                    ? found.metadata().isSoftDeleted()
                    : found.metadata().equals(PowerLossWorkload.metadataOf(op.n()));
            if (!right) {
                problems.add(stream + ": metadata " + found.metadata() + " at metastream version " + version
                        + " is not what operation " + op + " wrote");
            }
            // Operations past the survivor were lost with the power: the next ones take their versions.
            ops.subList((int) version + 1, ops.size()).clear();
        }
        return problems;
    }
}
