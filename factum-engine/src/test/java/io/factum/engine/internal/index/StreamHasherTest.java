package io.factum.engine.internal.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamHasherTest {

    private static long hash(String s) {
        return StreamHasher.DEFAULT.hash(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void golden_values_pin_the_on_disk_format() {
        // The hash keys every index file: if one of these changes, existing indexes become
        // unreadable. Change them only together with IndexFormat.FORMAT_VERSION.
        assertThat(hash("")).isEqualTo(GOLDEN[0]);
        assertThat(hash("a")).isEqualTo(GOLDEN[1]);
        assertThat(hash("order-12345")).isEqualTo(GOLDEN[2]);
        assertThat(hash("$$account-7")).isEqualTo(GOLDEN[3]);
        assertThat(hash("日本語-ストリーム")).isEqualTo(GOLDEN[4]);
        assertThat(hash("x".repeat(1024))).isEqualTo(GOLDEN[5]);
    }

    private static final long[] GOLDEN = {
        1947623956890854638L,
        -8788859846518675120L,
        -6183256102705223670L,
        438348637448621840L,
        -5130917014205066576L,
        -2097313055571606846L
    };

    @Test
    void a_million_similar_names_do_not_collide() {
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(seen.add(hash("stream-" + i)))
                    .as("collision at stream-%d", i)
                    .isTrue();
        }
    }

    @Test
    void every_input_bit_flips_about_half_the_output_bits() {
        Random random = new Random(1);
        for (int length : new int[] {1, 7, 8, 9, 16, 31, 100}) {
            long flipped = 0;
            long trials = 0;
            for (int sample = 0; sample < 200; sample++) {
                byte[] input = new byte[length];
                random.nextBytes(input);
                long base = StreamHasher.DEFAULT.hash(input);
                for (int bit = 0; bit < length * 8; bit++) {
                    input[bit / 8] ^= (byte) (1 << (bit % 8));
                    flipped += Long.bitCount(base ^ StreamHasher.DEFAULT.hash(input));
                    input[bit / 8] ^= (byte) (1 << (bit % 8));
                    trials++;
                }
            }
            assertThat((double) flipped / trials)
                    .as("mean output bits flipped, length %d", length)
                    .isBetween(31.0, 33.0);
        }
    }

    @Test
    void length_is_part_of_the_hash() {
        // Trailing zero bytes must not vanish into the tail word.
        assertThat(StreamHasher.DEFAULT.hash(new byte[] {1}))
                .isNotEqualTo(StreamHasher.DEFAULT.hash(new byte[] {1, 0}));
        assertThat(StreamHasher.DEFAULT.hash(new byte[0])).isNotEqualTo(StreamHasher.DEFAULT.hash(new byte[8]));
    }
}
