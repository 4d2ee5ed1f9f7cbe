package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileBuilderTest {

    private static final Comparator<FileBuilder.Stream> FULL_ORDER = Comparator.comparingLong(FileBuilder.Stream::hash)
            .thenComparing(FileBuilder.Stream::name, Arrays::compareUnsigned);

    @Test
    void packed_sort_orders_by_hash_then_name() {
        Random random = new Random(11);
        Memtable.View view = new Memtable.View(new long[] {0, 0}, 1);
        for (int n : new int[] {1, 2, 3, 1000, 70_000}) {
            List<FileBuilder.Stream> streams = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long hash =
                        switch (i % 4) {
                            case 0 -> random.nextLong(); // negative and positive
                            case 1 -> random.nextLong() | 0xFFFFL; // differs from others only in low bits
                            case 2 -> random.nextInt(4); // small values: many exact ties
                            default -> Long.MIN_VALUE + random.nextInt(3);
                        };
                byte[] name = ("s" + random.nextInt(50)).getBytes();
                streams.add(new FileBuilder.Stream(hash, name, view));
            }
            List<FileBuilder.Stream> expected = new ArrayList<>(streams);
            expected.sort(FULL_ORDER);
            List<FileBuilder.Stream> actual = FileBuilder.sortByHashAndName(streams);
            assertThat(actual).hasSize(n);
            for (int i = 1; i < n; i++) {
                assertThat(FULL_ORDER.compare(actual.get(i - 1), actual.get(i)))
                        .as("order at %d of %d", i, n)
                        .isLessThanOrEqualTo(0);
            }
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
        }
    }
}
