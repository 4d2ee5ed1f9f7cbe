package io.factum.engine.internal.store;

import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SystemNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A state view with writes that are decided but not yet durable laid over another view. The
 * writer keeps one per group commit, and the decider one per multi-stream command, so a failed
 * part leaves the group's view untouched.
 *
 * <p>Not thread-safe: writer thread only.
 */
final class PendingView implements StateView {
    private final StateView base;
    private final Map<String, List<RecordedEvent>> pending = new HashMap<>();
    /** Every pending record in position order, for append conditions. */
    private final List<RecordedEvent> all = new ArrayList<>();

    private long head = Long.MIN_VALUE;

    PendingView(StateView base) {
        this.base = base;
    }

    void addAll(List<RecordedEvent> records) {
        int runStart = 0;
        for (int i = 1; i <= records.size(); i++) {
            if (i == records.size() || !records.get(i).stream().equals(records.get(runStart).stream())) {
                // One bulk add per run of a stream: a 1,000-event batch grows the list once.
                pending.computeIfAbsent(records.get(runStart).stream(), s -> new ArrayList<>())
                        .addAll(records.subList(runStart, i));
                runStart = i;
            }
        }
        if (!records.isEmpty()) {
            head = Math.max(head, records.get(records.size() - 1).position());
        }
        all.addAll(records);
    }

    @Override
    public long lastVersion(String stream) {
        List<RecordedEvent> mine = pending.get(stream);
        return mine == null
                ? base.lastVersion(stream)
                : mine.get(mine.size() - 1).version();
    }

    @Override
    public Optional<EventRef> eventAt(String stream, long version) {
        List<RecordedEvent> mine = pending.get(stream);
        if (mine != null && version >= mine.get(0).version()) {
            int lo = 0;
            int hi = mine.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                long v = mine.get(mid).version();
                if (v == version) {
                    return Optional.of(
                            new EventRef(mine.get(mid).eventId(), mine.get(mid).position()));
                }
                if (v < version) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return Optional.empty();
        }
        return base.eventAt(stream, version);
    }

    @Override
    public StreamMetadataResult metadata(String stream) {
        List<RecordedEvent> meta = pending.get(SystemNames.metastreamOf(stream));
        if (meta == null) {
            return base.metadata(stream);
        }
        RecordedEvent last = meta.get(meta.size() - 1);
        return new StreamMetadataResult(stream, last.version(), StreamMetadataCodec.decode(last.data()));
    }

    @Override
    public long headPosition() {
        return Math.max(head, base.headPosition());
    }

    /**
     * The base's answer first: its records all precede the pending ones. A group holds at most a
     * few thousand records, so scanning them costs less than the fsync the group waits for.
     */
    @Override
    public OptionalLong firstMatchAfter(Query query, long after) {
        OptionalLong committed = base.firstMatchAfter(query, after);
        if (committed.isPresent()) {
            return committed;
        }
        for (RecordedEvent r : all) {
            if (r.position() > after && query.matches(r)) {
                return OptionalLong.of(r.position());
            }
        }
        return OptionalLong.empty();
    }
}
