package io.factum.api.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Generators of random JSON values for the seeded round-trip tests (jqwik is not a dependency here). */
public final class RandomJson {
    private RandomJson() {}

    /** A string mixing ASCII, escapes, control characters, BMP characters and surrogate pairs. */
    public static String string(Random random, int maxLength) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> out.append((char) random.nextInt(0x20));
                case 1 -> out.append("\"\\/".charAt(random.nextInt(3)));
                case 2 -> out.append((char) (0x20 + random.nextInt(0x60)));
                case 3 -> out.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000));
                default -> {
                    char c = (char) (0x80 + random.nextInt(0xFFFF - 0x80));
                    out.append(Character.isSurrogate(c) ? 'x' : c);
                }
            }
        }
        return out.toString();
    }

    /** A JSON value as the parser would return it: Long, exact non-integral BigDecimal, and so on. */
    public static Object value(Random random, int depth) {
        int kind = random.nextInt(depth >= 5 ? 6 : 8);
        return switch (kind) {
            case 0 -> Json.NULL;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextBoolean() ? random.nextLong() : (long) random.nextInt(100);
            case 3 -> decimal(random);
            case 4, 5 -> string(random, 10);
            case 6 -> {
                List<Object> list = new ArrayList<>();
                int size = random.nextInt(5);
                for (int i = 0; i < size; i++) {
                    list.add(value(random, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                int size = random.nextInt(5);
                for (int i = 0; i < size; i++) {
                    map.put(string(random, 6), value(random, depth + 1));
                }
                yield map;
            }
        };
    }

    private static BigDecimal decimal(Random random) {
        BigInteger unscaled = new BigInteger(1 + random.nextInt(100), random);
        if (random.nextBoolean()) {
            unscaled = unscaled.negate();
        }
        int scale = random.nextInt(41) - 20;
        // A BigDecimal with scale 0 is written as a plain integer, which parses back as a Long when
        // it fits: keep those out, the parser never returns them.
        if (scale == 0) {
            scale = 1;
        }
        return new BigDecimal(unscaled, scale);
    }
}
