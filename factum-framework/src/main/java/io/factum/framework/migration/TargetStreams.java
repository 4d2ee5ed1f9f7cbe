package io.factum.framework.migration;

import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.api.WrongExpectedVersionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target streams of one run: where each stands (its version, and the last source position
 * copied into it, read from its newest event when the run first meets it) and the events waiting
 * to be appended to it. Appends expect the version, so a writer other than the migration is
 * noticed rather than interleaved.
 */
final class TargetStreams {
    private final EventStore store;
    private final String name;
    private final StoreLimits limits;
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private long written;

    private static final class Target {
        long version;
        long copiedUpTo;
        final List<EventData> pending = new ArrayList<>();

        Target(long version, long copiedUpTo) {
            this.version = version;
            this.copiedUpTo = copiedUpTo;
        }
    }

    TargetStreams(EventStore store, String name) {
        this.store = store;
        this.name = name;
        this.limits = store.limits();
    }

    /** Whether {@code target} holds this source event already (written by a run that crashed). */
    boolean holds(String target, RecordedEvent source) {
        return target(target).copiedUpTo >= source.position();
    }

    void add(String target, List<EventData> events, long sourcePosition) {
        Target t = target(target);
        t.pending.addAll(events);
        t.copiedUpTo = sourcePosition;
    }

    /** Appends everything pending, in pieces the store accepts. */
    void flush() {
        for (Map.Entry<String, Target> entry : targets.entrySet()) {
            Target t = entry.getValue();
            int from = 0;
            while (from < t.pending.size()) {
                int to = pieceEnd(t.pending, from);
                append(entry.getKey(), t, t.pending.subList(from, to));
                from = to;
            }
            t.pending.clear();
        }
    }

    long written() {
        return written;
    }

    int size() {
        return targets.size();
    }

    private void append(String stream, Target t, List<EventData> events) {
        ExpectedVersion expected = t.version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(t.version);
        try {
            AppendResult result = store.append(stream, expected, List.copyOf(events));
            t.version = result.streamVersion();
            written += events.size();
        } catch (WrongExpectedVersionException e) {
            throw new MigrationException(
                    "target stream " + stream + " was written to by something else during the"
                            + " migration; stop writers to the target streams and run it again",
                    e);
        }
    }

    /** The end of the longest piece from {@code from} within the store's limits on one append. */
    private int pieceEnd(List<EventData> events, int from) {
        long bytes = 0;
        int to = from;
        while (to < events.size() && to - from < limits.maxEventsPerAppend()) {
            EventData e = events.get(to);
            long size = e.data().length + e.metadata().length;
            if (to > from && bytes + size > limits.maxAppendBytes()) {
                break;
            }
            bytes += size;
            to++;
        }
        return to;
    }

    private Target target(String stream) {
        Target t = targets.get(stream);
        if (t == null) {
            t = open(stream);
            targets.put(stream, t);
        }
        return t;
    }

    private Target open(String stream) {
        ReadStreamResult result = store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            return new Target(-1, -1);
        }
        RecordedEvent last = found.events().getFirst();
        if (!MigrationMetadata.migrationOf(last).equals(name)) {
            throw new MigrationException("target stream " + stream + " holds events that migration " + name
                    + " did not write; give the migration targets of its own");
        }
        return new Target(last.version(), MigrationMetadata.sourcePosition(last));
    }
}
