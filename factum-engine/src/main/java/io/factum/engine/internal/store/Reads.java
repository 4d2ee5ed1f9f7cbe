package io.factum.engine.internal.store;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadataResult;
import io.factum.engine.internal.index.StreamIndex;
import io.factum.engine.internal.log.SegmentedLog;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Stream and {@code $all} reads. Stream reads honour the stream's metadata as it is at read time;
 * {@code $all} returns every durable record. Thread-safe; reads never see past the durable head.
 */
public final class Reads {
    /** Records fetched from the log per step of a filtered or stream scan. */
    private static final int SCAN_BATCH = 512;

    private final SegmentedLog log;
    private final StreamIndex index;
    private final CommittedState state;
    private final Clock clock;

    public Reads(SegmentedLog log, StreamIndex index, CommittedState state, Clock clock) {
        this.log = log;
        this.index = index;
        this.state = state;
        this.clock = clock;
    }

    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        try {
            long last = index.lastVersion(stream);
            if (last == RecordedEvent.TOMBSTONE_VERSION) {
                throw new StreamDeletedException(stream);
            }
            if (last < 0) {
                return new ReadStreamResult.NotFound(stream);
            }
            Visibility visibility = Visibility.of(stream, state.metadata(stream).metadata(), last, clock.instant());
            if (visibility.softDeleted()) {
                return new ReadStreamResult.NotFound(stream);
            }
            return direction == Direction.FORWARDS
                    ? forwards(
                            stream,
                            Math.max(fromVersion, visibility.lowestVisibleVersion()),
                            maxCount,
                            last,
                            visibility)
                    : backwards(stream, Math.min(fromVersion, last), maxCount, last, visibility);
        } catch (IOException e) {
            throw CommittedState.readFailed("stream '" + stream + "'", e);
        }
    }

    private ReadStreamResult forwards(String stream, long from, int maxCount, long last, Visibility visibility)
            throws IOException {
        // At most last - from + 1 events are there: a read of the newest few sizes for those few.
        int there = (int) Math.max(0, Math.min(SCAN_BATCH, last - from + 1));
        List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, there));
        long next = from;
        while (out.size() < maxCount && next <= last) {
            int want = (int) Math.min(Math.min(SCAN_BATCH, maxCount - out.size()), last - next + 1);
            List<StreamIndex.Entry> entries = index.read(stream, next, Direction.FORWARDS, want);
            if (entries.isEmpty()) {
                break;
            }
            for (RecordedEvent e : fetch(entries)) {
                if (visibility.isVisible(e)) {
                    out.add(e);
                }
            }
            next = entries.get(entries.size() - 1).version() + 1;
        }
        return new ReadStreamResult.Found(out, last, next > last);
    }

    private ReadStreamResult backwards(String stream, long from, int maxCount, long last, Visibility visibility)
            throws IOException {
        List<RecordedEvent> out = new ArrayList<>(Math.min(maxCount, SCAN_BATCH));
        long lowest = visibility.lowestVisibleVersion();
        long next = from;
        while (out.size() < maxCount && next >= lowest) {
            List<StreamIndex.Entry> entries =
                    index.read(stream, next, Direction.BACKWARDS, Math.min(SCAN_BATCH, maxCount - out.size()));
            if (entries.isEmpty()) {
                next = -1;
                break;
            }
            for (RecordedEvent e : fetch(entries)) {
                if (e.version() < lowest || visibility.expired(e)) {
                    return new ReadStreamResult.Found(out, last, true);
                }
                out.add(e);
            }
            next = entries.get(entries.size() - 1).version() - 1;
        }
        return new ReadStreamResult.Found(out, last, next < lowest || expired(stream, next, visibility));
    }

    /**
     * Whether the event at {@code version} is past {@code $maxAge}. A stream's events are created in
     * version order, so once one has expired every older one has too: a backwards read that filled
     * its page stops there and says it reached the end, instead of handing the caller an empty page.
     */
    private boolean expired(String stream, long version, Visibility visibility) throws IOException {
        if (!visibility.hasMaxAge()) {
            return false;
        }
        List<StreamIndex.Entry> entry = index.read(stream, version, Direction.BACKWARDS, 1);
        return entry.isEmpty() || visibility.expired(log.read(entry.get(0).position()));
    }

    /**
     * The records at the entries' positions, in the entries' order. Runs of adjacent positions (a
     * batch written to one stream) are read with one sequential log read instead of point reads;
     * the point reads between runs are read together ({@link SegmentedLog#readAll}).
     */
    private List<RecordedEvent> fetch(List<StreamIndex.Entry> entries) throws IOException {
        List<RecordedEvent> out = new ArrayList<>(entries.size());
        long[] singles = new long[entries.size()];
        int pending = 0;
        int step = entries.size() > 1
                        && entries.get(0).position()
                                > entries.get(entries.size() - 1).position()
                ? -1
                : 1;
        int i = 0;
        while (i < entries.size()) {
            long start = entries.get(i).position();
            int run = 1;
            while (i + run < entries.size() && entries.get(i + run).position() == start + (long) step * run) {
                run++;
            }
            if (run == 1) {
                singles[pending++] = start;
            } else {
                log.readAll(singles, pending, out);
                pending = 0;
                out.addAll(step == 1 ? log.readForward(start, run) : log.readBackward(start, run));
            }
            i += run;
        }
        log.readAll(singles, pending, out);
        return out;
    }

    /** The stream's metadata; fails for a tombstoned stream, as KurrentDB does. */
    public StreamMetadataResult metadata(String stream) {
        try {
            if (index.lastVersion(stream) == RecordedEvent.TOMBSTONE_VERSION) {
                throw new StreamDeletedException(stream);
            }
            return state.metadata(stream);
        } catch (IOException e) {
            throw CommittedState.readFailed("metadata of '" + stream + "'", e);
        } catch (java.io.UncheckedIOException e) {
            throw CommittedState.readFailed("metadata of '" + stream + "'", e.getCause());
        }
    }

    public ReadAllResult readAll(ReadAllOptions options) {
        try {
            return options.direction() == Direction.FORWARDS ? allForwards(options) : allBackwards(options);
        } catch (IOException e) {
            throw CommittedState.readFailed("$all", e);
        }
    }

    private ReadAllResult allForwards(ReadAllOptions options) throws IOException {
        EventFilter filter = options.filter();
        List<RecordedEvent> out = new ArrayList<>(Math.min(options.maxCount(), SCAN_BATCH));
        long next = options.fromPosition();
        long head = log.durablePosition();
        while (out.size() < options.maxCount() && next <= head) {
            int want = filter instanceof EventFilter.None ? options.maxCount() - out.size() : SCAN_BATCH;
            List<RecordedEvent> batch = log.readForward(next, Math.min(want, SCAN_BATCH * 8));
            if (batch.isEmpty()) {
                break;
            }
            for (RecordedEvent e : batch) {
                next = e.position() + 1;
                if (filter.matches(e)) {
                    out.add(e);
                    if (out.size() == options.maxCount()) {
                        break;
                    }
                }
            }
        }
        return new ReadAllResult(out, next, next > head);
    }

    private ReadAllResult allBackwards(ReadAllOptions options) throws IOException {
        EventFilter filter = options.filter();
        List<RecordedEvent> out = new ArrayList<>(Math.min(options.maxCount(), SCAN_BATCH));
        long head = log.durablePosition();
        long next = Math.min(options.fromPosition(), head);
        while (out.size() < options.maxCount() && next >= 0) {
            int want = filter instanceof EventFilter.None ? options.maxCount() - out.size() : SCAN_BATCH;
            List<RecordedEvent> batch = log.readBackward(next, Math.min(want, SCAN_BATCH * 8));
            if (batch.isEmpty()) {
                next = -1;
                break;
            }
            for (RecordedEvent e : batch) {
                next = e.position() - 1;
                if (filter.matches(e)) {
                    out.add(e);
                    if (out.size() == options.maxCount()) {
                        break;
                    }
                }
            }
        }
        return new ReadAllResult(out, next, next < 0);
    }
}
