package io.factum.engine.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.engine.internal.index.StreamIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QueryCursor} against a brute-force evaluation of the same query over the same records:
 * unions, leapfrog intersections and their mix, both directions, across index pages (lists longer
 * than a page) and across the memtable and index files (a small memtable flushes while adding).
 */
class QueryCursorTest {
    private static final List<String> TYPES = List.of("A", "B", "C");
    private static final List<String> TAGS = List.of("t0", "t1", "t2", "t3", "rare");

    @TempDir
    Path dir;

    private record Rec(String type, List<String> tags) {}

    @Test
    void everyQueryShapeFindsExactlyTheMatchingPositionsInBothDirections() throws IOException {
        Random random = new Random(7);
        List<Rec> log = new ArrayList<>();
        try (StreamIndex index = StreamIndex.open(
                dir, new StreamIndex.Options(500, 3, 10), (key, position) -> holds(log, key, position))) {
            for (int p = 0; p < 3_000; p++) {
                Rec rec = randomRecord(random);
                log.add(rec);
                index.add(TagKeys.of(rec.type(), rec.tags()), p, p);
            }
            List<Query> queries = List.of(
                    Query.of(QueryItem.tagged("t0")),
                    Query.of(QueryItem.tagged("rare")),
                    Query.of(QueryItem.types("A")),
                    Query.of(QueryItem.types("A", "C")),
                    Query.of(QueryItem.tagged("t0", "t1")),
                    Query.of(QueryItem.tagged("t0", "t1", "t2")),
                    Query.of(QueryItem.types("B").withTags("t2")),
                    Query.of(QueryItem.types("A", "B").withTags("t1", "t3")),
                    Query.of(QueryItem.tagged("rare"), QueryItem.types("C").withTags("t0")),
                    Query.of(QueryItem.tagged("nobody")),
                    Query.of(QueryItem.types("Z")));
            for (Query query : queries) {
                for (long from : new long[] {0, 1, 777, 2_999, 5_000}) {
                    // wanted: how many the reader expects to take, the first page of a one-key query
                    for (int wanted : new int[] {1, 4, 17, 256, 10_000}) {
                        assertThat(walk(index, query, Direction.FORWARDS, from, wanted))
                                .as("%s forwards from %d, %d wanted", query, from, wanted)
                                .isEqualTo(expected(log, query, Direction.FORWARDS, from));
                        assertThat(walk(index, query, Direction.BACKWARDS, from, wanted))
                                .as("%s backwards from %d, %d wanted", query, from, wanted)
                                .isEqualTo(expected(log, query, Direction.BACKWARDS, from));
                    }
                }
            }
        }
    }

    private static Rec randomRecord(Random random) {
        List<String> tags = new ArrayList<>();
        for (String tag : TAGS) {
            double chance = tag.equals("rare") ? 0.01 : 0.4;
            if (random.nextDouble() < chance) {
                tags.add(tag);
            }
        }
        return new Rec(TYPES.get(random.nextInt(TYPES.size())), tags);
    }

    private static boolean holds(List<Rec> log, String key, long position) {
        Rec rec = log.get((int) position);
        return TagKeys.of(rec.type(), rec.tags()).contains(key);
    }

    private static List<Long> walk(StreamIndex index, Query query, Direction direction, long from, int wanted)
            throws IOException {
        QueryCursor cursor = QueryCursor.of(index, query, direction, wanted);
        List<Long> out = new ArrayList<>();
        long target = direction == Direction.FORWARDS ? from : Math.min(from, index.indexedUpTo());
        while (true) {
            long p = cursor.seek(target);
            if (p == QueryCursor.NONE) {
                return out;
            }
            out.add(p);
            target = direction == Direction.FORWARDS ? p + 1 : p - 1;
        }
    }

    private static List<Long> expected(List<Rec> log, Query query, Direction direction, long from) {
        List<Long> out = new ArrayList<>();
        for (int p = 0; p < log.size(); p++) {
            boolean inRange = direction == Direction.FORWARDS ? p >= from : p <= from;
            if (inRange && query.matches(log.get(p).type(), log.get(p).tags())) {
                out.add((long) p);
            }
        }
        if (direction == Direction.BACKWARDS) {
            java.util.Collections.reverse(out);
        }
        return out;
    }
}
