package io.factum.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Names are limited in UTF-8 bytes, counted without encoding them. */
class StoreLimitsNameTest {
    private static final int LIMIT = 12;
    private final StoreLimits limits = new StoreLimits(LIMIT, LIMIT, 1 << 20, 1 << 20, 10, 10);

    @Test
    void aNameOfExactlyTheLimitInBytesPassesAndOneByteMoreFails() {
        for (String unit : new String[] {"a", "é", "日", "🚀"}) {
            int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
            String fits = unit.repeat(LIMIT / unitBytes);
            String over = fits + "a".repeat(LIMIT - fits.getBytes(StandardCharsets.UTF_8).length + 1);

            assertThatCode(() -> limits.checkEventType(fits)).as(fits).doesNotThrowAnyException();
            assertThatThrownBy(() -> limits.checkEventType(over))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is " + (LIMIT + 1) + " UTF-8 bytes, the limit is " + LIMIT);
        }
    }

    @Test
    void theCountIsTheEncodedLengthForAnyValidText() {
        Random random = new Random(11);
        int[] pool = {'a', 'Z', '-', 0xE9, 0x7FF, 0x800, 0x65E5, 0xFFFD, 0x1F680, 0x10FFFF};
        for (int n = 0; n < 2000; n++) {
            StringBuilder name = new StringBuilder();
            for (int i = 0, length = 1 + random.nextInt(6); i < length; i++) {
                name.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            int bytes = name.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes <= LIMIT) {
                assertThatCode(() -> limits.checkEventType(name.toString())).doesNotThrowAnyException();
            } else {
                assertThatThrownBy(() -> limits.checkEventType(name.toString()))
                        .hasMessageContaining("is " + bytes + " UTF-8 bytes");
            }
        }
    }

    @Test
    void loneSurrogatesAndControlCharactersAreRefused() {
        assertThatThrownBy(() -> limits.checkEventType("a\uD83D")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> limits.checkEventType("\uDE80a")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> limits.checkEventType("a\u0007")).hasMessageContaining("control character U+0007");
        assertThatThrownBy(() -> limits.checkEventType("")).hasMessageContaining("must not be empty");
    }
}
