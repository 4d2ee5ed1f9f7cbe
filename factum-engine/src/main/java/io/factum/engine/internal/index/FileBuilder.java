package io.factum.engine.internal.index;

import io.factum.engine.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Builds index files: from a frozen memtable (a flush) and from several files (a merge). */
final class FileBuilder {

    /** How often (in records) a merge checks whether the index is closing. */
    private static final int ABORT_CHECK_INTERVAL = 4096;

    private FileBuilder() {}

    /** Thrown inside a merge when the index closes; the partial output is deleted. */
    static final class MergeAborted extends IOException {
        MergeAborted() {
            super("merge aborted: the index is closing");
        }
    }

    record Stream(long hash, byte[] name, Memtable.View view) {}

    /** Writes a frozen memtable to a new file: names, then entries, both in (hash, ...) order. */
    static IndexFormat.Header writeMemtable(
            FileIo io, Path path, long seq, Memtable memtable, StreamHasher hasher, int bloomBits) throws IOException {
        List<Stream> streams = new ArrayList<>(memtable.streams());
        for (Map.Entry<String, Memtable.Run> e : memtable.frozenRuns()) {
            byte[] name = IndexFormat.utf8(e.getKey());
            streams.add(new Stream(hasher.hash(name), name, e.getValue().view()));
        }
        streams = sortByHashAndName(streams);
        try (IndexFileWriter out = new IndexFileWriter(io, path, seq, bloomBits)) {
            for (Stream s : streams) {
                out.addName(s.hash, s.name);
            }
            int i = 0;
            while (i < streams.size()) {
                int j = i + 1;
                while (j < streams.size() && streams.get(j).hash == streams.get(i).hash) {
                    j++;
                }
                if (j == i + 1) {
                    Memtable.View v = streams.get(i).view;
                    for (int k = 0; k < v.size(); k++) {
                        out.addEntry(streams.get(i).hash, v.version(k), v.position(k));
                    }
                } else {
                    writeSharedHash(out, streams.subList(i, j));
                }
                i = j;
            }
            return out.finish();
        }
    }

    private static final Comparator<Stream> HASH_THEN_NAME =
            (a, b) -> a.hash != b.hash ? Long.compare(a.hash, b.hash) : Arrays.compareUnsigned(a.name, b.name);

    /**
     * Sorts by (hash, name). A memtable can hold a million streams, and sorting records with a
     * comparator chases a pointer per comparison (about 350 ms for 10^6); instead each hash, with its
     * low bits replaced by the stream's index, is sorted as a primitive long (about 80 ms). Streams
     * whose hashes agree in the remaining high bits (rare: about n^2 / 2^(65 - log2 n) pairs) are then
     * put in full order by the comparator.
     */
    static List<Stream> sortByHashAndName(List<Stream> streams) {
        int n = streams.size();
        int indexBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, n - 1)));
        long indexMask = (1L << indexBits) - 1;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            // Clearing low bits rounds towards negative infinity: the signed order of the high
            // parts agrees with the signed order of the hashes.
            keys[i] = (streams.get(i).hash & ~indexMask) | i;
        }
        Arrays.sort(keys);
        Stream[] sorted = new Stream[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = streams.get((int) (keys[i] & indexMask));
        }
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && (sorted[j].hash & ~indexMask) == (sorted[i].hash & ~indexMask)) {
                j++;
            }
            if (j - i > 1) {
                Arrays.sort(sorted, i, j, HASH_THEN_NAME);
            }
            i = j;
        }
        return Arrays.asList(sorted);
    }

    /** Several names with one hash (a collision): their entries interleave by (version, position). */
    private static void writeSharedHash(IndexFileWriter out, List<Stream> group) throws IOException {
        int total = 0;
        for (Stream s : group) {
            total += s.view.size();
        }
        long[][] entries = new long[total][];
        int n = 0;
        for (Stream s : group) {
            for (int k = 0; k < s.view.size(); k++) {
                entries[n++] = new long[] {s.view.version(k), s.view.position(k)};
            }
        }
        Arrays.sort(entries, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (long[] e : entries) {
            out.addEntry(group.get(0).hash, e[0], e[1]);
        }
    }

    /**
     * Merges files into one: a k-way merge of the names (dropping duplicates: a stream present in
     * several inputs is listed once) and of the entries. Inputs cover disjoint position ranges, so
     * no two entries are equal.
     */
    static IndexFormat.Header merge(List<IndexFile> inputs, IndexFileWriter out, BooleanSupplier aborted)
            throws IOException {
        mergeNames(inputs, out, aborted);
        List<FileCursors.EntryCursor> cursors = new ArrayList<>();
        for (IndexFile f : inputs) {
            var c = new FileCursors.EntryCursor(f);
            if (c.next()) {
                cursors.add(c);
            }
        }
        long n = 0;
        while (!cursors.isEmpty()) {
            if (++n % ABORT_CHECK_INTERVAL == 0 && aborted.getAsBoolean()) {
                throw new MergeAborted();
            }
            // k is small (maxFilesBeforeMerge + a few): a linear minimum beats a heap here.
            int min = 0;
            for (int i = 1; i < cursors.size(); i++) {
                var a = cursors.get(i);
                var b = cursors.get(min);
                int c = IndexFile.compare(a.hash(), a.version(), b.hash(), b.version());
                if (c < 0 || (c == 0 && a.position() < b.position())) {
                    min = i;
                }
            }
            var c = cursors.get(min);
            out.addEntry(c.hash(), c.version(), c.position());
            if (!c.next()) {
                cursors.remove(min);
            }
        }
        return out.finish();
    }

    private static void mergeNames(List<IndexFile> inputs, IndexFileWriter out, BooleanSupplier aborted)
            throws IOException {
        List<FileCursors.NameCursor> cursors = new ArrayList<>();
        for (IndexFile f : inputs) {
            var c = new FileCursors.NameCursor(f);
            if (c.next()) {
                cursors.add(c);
            }
        }
        long lastHash = 0;
        byte[] lastName = null;
        long n = 0;
        while (!cursors.isEmpty()) {
            if (++n % ABORT_CHECK_INTERVAL == 0 && aborted.getAsBoolean()) {
                throw new MergeAborted();
            }
            int min = 0;
            for (int i = 1; i < cursors.size(); i++) {
                if (compareName(cursors.get(i), cursors.get(min)) < 0) {
                    min = i;
                }
            }
            var c = cursors.get(min);
            if (lastName == null || c.hash() != lastHash || !Arrays.equals(c.name(), lastName)) {
                out.addName(c.hash(), c.name());
                lastHash = c.hash();
                lastName = c.name();
            }
            if (!c.next()) {
                cursors.remove(min);
            }
        }
    }

    private static int compareName(FileCursors.NameCursor a, FileCursors.NameCursor b) {
        int c = Long.compare(a.hash(), b.hash());
        return c != 0 ? c : Arrays.compareUnsigned(a.name(), b.name());
    }
}
