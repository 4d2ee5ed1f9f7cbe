package io.factum.engine.internal.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest index entries, in memory, keyed by the real stream name (so that no lookup here ever
 * needs the log to tell two streams apart).
 *
 * <p>Thread-safety: one writer thread calls {@link #add} while any number of readers call {@link
 * #run}; once the memtable is frozen (replaced as the active one) nobody writes it again. A {@link
 * Run} publishes each entry with a release store of its size after the entry's slots are written,
 * and readers load the size with acquire before the array, so a reader sees a consistent prefix.
 *
 * <p>Heap: per entry two longs in a growable array (16 bytes, 16 to 24 with the 1.5x growth slack);
 * per stream a map node (32 bytes), a {@link Run} (24 bytes), an array header (16 bytes) and the
 * name string (about 40 + its length bytes; shared with the caller when it keeps it).
 */
final class Memtable {
    private final ConcurrentHashMap<String, Run> runs;
    private int entries;
    private long firstPosition = -1;
    private long lastPosition = -1;
    private long versionZeroAdds;

    Memtable(int expectedStreams) {
        this.runs = new ConcurrentHashMap<>(Math.max(16, expectedStreams));
    }

    /** Writer thread only. Checks that versions of a stream increase (cheap: the last one is here). */
    void add(String stream, long version, long position) {
        Run run = runs.get(stream);
        if (run == null) {
            runs.put(stream, new Run(version, position));
        } else {
            run.append(stream, version, position);
        }
        if (entries++ == 0) {
            firstPosition = position;
        }
        lastPosition = position;
        if (version == 0) {
            versionZeroAdds++;
        }
    }

    Optional<Run> run(String stream) {
        return Optional.ofNullable(runs.get(stream));
    }

    /** Writer thread, or any thread once frozen. */
    int entries() {
        return entries;
    }

    boolean isEmpty() {
        return entries == 0;
    }

    long firstPosition() {
        return firstPosition;
    }

    long lastPosition() {
        return lastPosition;
    }

    long versionZeroAdds() {
        return versionZeroAdds;
    }

    int streams() {
        return runs.size();
    }

    /** Only once frozen: the flush iterates it. */
    Iterable<Map.Entry<String, Run>> frozenRuns() {
        return runs.entrySet();
    }

    /**
     * The entries of one stream in this memtable: versions strictly increasing, stored interleaved
     * (version, position) in one array so a reader needs one consistent array reference.
     */
    static final class Run {
        private static final VarHandle SIZE;
        private static final VarHandle DATA;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                SIZE = l.findVarHandle(Run.class, "size", int.class);
                DATA = l.findVarHandle(Run.class, "data", long[].class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private long[] data;

        private int size;

        Run(long version, long position) {
            this.data = new long[] {version, position};
            this.size = 1;
        }

        private void append(String stream, long version, long position) {
            int n = size;
            long[] d = data;
            long last = d[2 * n - 2];
            if (version <= last) {
                throw new IllegalArgumentException("stream '" + stream + "': version " + version
                        + " does not follow version " + last + " (versions of a stream must strictly increase)");
            }
            if (2 * n == d.length) {
                // Grow by 1.5x: the slack costs at most a third of the live bytes, against half for
                // doubling, and the copies stay amortised O(1) per entry.
                d = Arrays.copyOf(d, 2 * (n + Math.max(1, n >> 1)));
                DATA.setRelease(this, d);
            }
            d[2 * n] = version;
            d[2 * n + 1] = position;
            SIZE.setRelease(this, n + 1);
        }

        /** A consistent view: the size first, then an array at least that long (see class doc). */
        View view() {
            int n = (int) SIZE.getAcquire(this);
            long[] d = (long[]) DATA.getAcquire(this);
            return new View(d, n);
        }

        long lastVersion() {
            View v = view();
            return v.version(v.size() - 1);
        }
    }

    /** An immutable prefix of a run. */
    record View(long[] data, int size) {
        long version(int i) {
            return data[2 * i];
        }

        long position(int i) {
            return data[2 * i + 1];
        }

        /** The index of the first entry with version >= v, or size when none. */
        int firstAtLeast(long v) {
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (version(mid) < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
