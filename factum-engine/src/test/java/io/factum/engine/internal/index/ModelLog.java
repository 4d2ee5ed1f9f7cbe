package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Entry;
import io.factum.engine.internal.index.StreamIndex.LoggedEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the engine's log and a reference model of the index: every appended record is kept
 * by position (so it can resolve stream names, check entries and replay a tail), and each stream's
 * entries are kept in a TreeMap. Appends come from one thread; lookups from any.
 */
final class ModelLog implements StreamIndex.StreamResolver, StreamIndex.EntryChecker {
    private final ConcurrentSkipListMap<Long, LoggedEvent> records = new ConcurrentSkipListMap<>();
    private final Map<String, TreeMap<Long, Long>> streams = new HashMap<>();
    final AtomicLong resolverCalls = new AtomicLong();
    private long nextPosition;

    /** Appends to the log and adds to the index; returns the position. */
    long append(StreamIndex index, String stream, long version) throws IOException {
        long p = record(stream, version, 1);
        index.add(stream, version, p);
        return p;
    }

    /** Appends to the log only (as if the index missed it); gap = distance from the last position. */
    long record(String stream, long version, long gap) {
        long p = nextPosition + gap - 1;
        nextPosition = p + 1;
        records.put(p, new LoggedEvent(stream, version));
        streams.computeIfAbsent(stream, s -> new TreeMap<>()).put(version, p);
        return p;
    }

    /** What the engine does at open: add every record after the index's checkpoint. */
    long replay(StreamIndex index) throws IOException {
        long n = 0;
        for (var e : records.tailMap(index.indexedUpTo(), false).entrySet()) {
            index.add(e.getValue().stream(), e.getValue().version(), e.getKey());
            n++;
        }
        return n;
    }

    long lastPosition() {
        return nextPosition - 1;
    }

    List<String> streamNames() {
        return new ArrayList<>(streams.keySet());
    }

    long lastVersion(String stream) {
        TreeMap<Long, Long> s = streams.get(stream);
        return s == null ? -1 : s.lastKey();
    }

    List<Entry> expected(String stream, long from, Direction direction, int max) {
        TreeMap<Long, Long> s = streams.getOrDefault(stream, new TreeMap<>());
        NavigableMap<Long, Long> view = direction == Direction.FORWARDS
                ? s.tailMap(from, true)
                : s.headMap(from, true).descendingMap();
        List<Entry> out = new ArrayList<>();
        for (var e : view.entrySet()) {
            if (out.size() == max) {
                break;
            }
            out.add(new Entry(e.getKey(), e.getValue()));
        }
        return out;
    }

    long entries() {
        return records.size();
    }

    @Override
    public String streamAt(long position) throws IOException {
        resolverCalls.incrementAndGet();
        LoggedEvent e = records.get(position);
        if (e == null) {
            throw new IOException("no record at position " + position);
        }
        return e.stream();
    }

    @Override
    public Optional<LoggedEvent> eventAt(long position) {
        return Optional.ofNullable(records.get(position));
    }

    /**
     * Compares the index with the model for every stream (and two absent ones): lastVersion, whole
     * reads both ways, and reads from every version with small limits.
     */
    void assertIndexMatches(StreamIndex index) throws IOException {
        List<String> names = streamNames();
        names.add("absent-stream");
        names.add("absent-stream-éè");
        for (String stream : names) {
            assertThat(index.lastVersion(stream)).as("lastVersion(%s)", stream).isEqualTo(lastVersion(stream));
            assertRead(index, stream, 0, Direction.FORWARDS, Integer.MAX_VALUE);
            assertRead(index, stream, Long.MAX_VALUE, Direction.BACKWARDS, Integer.MAX_VALUE);
            for (long v : streams.getOrDefault(stream, new TreeMap<>()).keySet()) {
                for (int max = 1; max <= 3; max++) {
                    assertRead(index, stream, v, Direction.FORWARDS, max);
                    assertRead(index, stream, v, Direction.BACKWARDS, max);
                }
                if (v < Long.MAX_VALUE) {
                    assertRead(index, stream, v + 1, Direction.FORWARDS, 2);
                    assertRead(index, stream, v + 1, Direction.BACKWARDS, 2);
                }
            }
        }
        assertThat(index.entryCount()).isEqualTo(entries());
    }

    void assertRead(StreamIndex index, String stream, long from, Direction direction, int max) throws IOException {
        assertThat(index.read(stream, from, direction, max))
                .as("read(%s, %d, %s, %d)", stream, from, direction, max)
                .containsExactlyElementsOf(expected(stream, from, direction, max));
    }
}
