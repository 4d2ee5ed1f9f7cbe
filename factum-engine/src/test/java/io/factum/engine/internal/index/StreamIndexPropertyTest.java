package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.engine.internal.index.StreamIndex.Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * Random sequences of adds, reads, flushes, reopens and crashes (with replay from the log) against
 * a TreeMap model, with and without forced hash collisions, with tiny memtables so that files and
 * merges appear after a few adds.
 *
 * <p>jqwik does not run JUnit extensions, so there is no {@code @TempDir}: each try makes its own
 * temporary directory (where {@code @TempDir} would) and deletes it.
 */
class StreamIndexPropertyTest {

    /** Names of different lengths; with {@link #PARITY} they fall into two colliding groups. */
    private static final List<String> NAMES = List.of("s", "s1", "s12", "s123", "s1234", "s12345", "never-added");

    private static final StreamHasher PARITY = name -> name.length % 2;

    sealed interface Op {
        record Add(int stream, int versionGap, int positionGap) implements Op {}

        record Tombstone(int stream) implements Op {}

        record Read(int stream, long from, Direction direction, int max) implements Op {}

        record LastVersion(int stream) implements Op {}

        record Flush() implements Op {}

        record Reopen() implements Op {}

        record Crash() implements Op {}
    }

    @Property(tries = 250)
    void behaves_like_a_sorted_map(
            @ForAll("ops") List<Op> ops,
            @ForAll boolean collide,
            @ForAll @IntRange(min = 1, max = 8) int memtable,
            @ForAll @IntRange(min = 2, max = 4) int maxFiles)
            throws Exception {
        Path dir = Files.createTempDirectory("factum-index-property");
        try {
            run(dir, ops, collide ? PARITY : StreamHasher.DEFAULT, new Options(memtable, maxFiles, 10));
        } finally {
            deleteRecursively(dir);
        }
    }

    private static void run(Path dir, List<Op> ops, StreamHasher hasher, Options options) throws Exception {
        ModelLog log = new ModelLog();
        StreamIndex index = StreamIndex.open(dir, options, log, hasher);
        try {
            for (Op op : ops) {
                switch (op) {
                    case Op.Add a -> add(index, log, NAMES.get(a.stream), a.versionGap, a.positionGap);
                    case Op.Tombstone t -> tombstone(index, log, NAMES.get(t.stream));
                    case Op.Read r -> log.assertRead(index, NAMES.get(r.stream), r.from, r.direction, r.max);
                    case Op.LastVersion l ->
                        assertThat(index.lastVersion(NAMES.get(l.stream)))
                                .isEqualTo(log.lastVersion(NAMES.get(l.stream)));
                    case Op.Flush f -> {
                        index.flush();
                        assertThat(index.indexedUpTo()).isEqualTo(log.lastPosition());
                    }
                    case Op.Reopen r -> {
                        index.close();
                        index = StreamIndex.open(dir, options, log, hasher);
                        assertThat(index.indexedUpTo()).isEqualTo(log.lastPosition());
                    }
                    case Op.Crash c -> {
                        index.abandon();
                        index = StreamIndex.open(dir, options, log, hasher);
                        assertThat(index.indexedUpTo()).isLessThanOrEqualTo(log.lastPosition());
                        log.replay(index);
                    }
                }
            }
            log.assertIndexMatches(index);
            index.awaitMerges();
            log.assertIndexMatches(index);
        } finally {
            index.close();
        }
        assertThat(StreamIndex.verify(dir, log, hasher).problems()).isEmpty();
    }

    private static void add(StreamIndex index, ModelLog log, String stream, int versionGap, int positionGap)
            throws IOException {
        long last = log.lastVersion(stream);
        if (last == Long.MAX_VALUE || stream.equals("never-added")) {
            return; // tombstoned streams take no more entries
        }
        long version = last + versionGap; // gaps are allowed: the index needs increasing, not dense
        long position = log.record(stream, version, positionGap);
        index.add(stream, version, position);
    }

    private static void tombstone(StreamIndex index, ModelLog log, String stream) throws IOException {
        if (log.lastVersion(stream) == Long.MAX_VALUE || stream.equals("never-added")) {
            return;
        }
        long position = log.record(stream, Long.MAX_VALUE, 1);
        index.add(stream, Long.MAX_VALUE, position);
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> stream = Arbitraries.integers().between(0, NAMES.size() - 1);
        Arbitrary<Integer> gap = Arbitraries.integers().between(1, 3);
        Arbitrary<Op> add = Combinators.combine(stream, gap, gap).as(Op.Add::new);
        Arbitrary<Long> from = Arbitraries.oneOf(Arbitraries.longs().between(0, 40), Arbitraries.just(Long.MAX_VALUE));
        Arbitrary<Op> read = Combinators.combine(
                        stream,
                        from,
                        Arbitraries.of(Direction.class),
                        Arbitraries.integers().between(1, 12))
                .as(Op.Read::new);
        return Arbitraries.frequencyOf(
                        Tuple.of(30, add),
                        Tuple.of(8, read),
                        Tuple.of(3, stream.map(Op.LastVersion::new)),
                        Tuple.of(1, stream.map(Op.Tombstone::new)),
                        Tuple.of(1, Arbitraries.just(new Op.Flush())),
                        Tuple.of(1, Arbitraries.just(new Op.Reopen())),
                        Tuple.of(1, Arbitraries.just(new Op.Crash())))
                .list()
                .ofMaxSize(150);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
