package io.factum.bench;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses and prints the quantities options take: durations ({@code 10s}, {@code 500ms}, {@code
 * 2m}), counts ({@code 1_000_000}, {@code 10m} for ten million) and byte sizes ({@code 1g}, {@code
 * 64MiB}). Printing is the inverse of parsing, so a reproduce line parses back to the same values.
 *
 * <p>Stateless; thread-safe.
 */
final class Units {

    private Units() {}

    /** Parses {@code 10s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a plain number of seconds. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return nonNegative(text, Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
            }
            if (t.endsWith("s")) {
                return nonNegative(text, Duration.ofMillis(Math.round(1000 * Double.parseDouble(strip(t)))));
            }
            if (t.endsWith("m")) {
                return nonNegative(text, Duration.ofSeconds(Math.round(60 * Double.parseDouble(strip(t)))));
            }
            if (t.endsWith("h")) {
                return nonNegative(text, Duration.ofSeconds(Math.round(3600 * Double.parseDouble(strip(t)))));
            }
            return nonNegative(text, Duration.ofMillis(Math.round(1000 * Double.parseDouble(t))));
        } catch (NumberFormatException e) {
            throw new TypeConversionException(
                    "'" + text + "' is not a duration (examples: 10s, 500ms, 2m, 1h, or seconds as a number)");
        }
    }

    /** Prints a duration the shortest way {@link #parseDuration} reads back exactly. */
    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Parses {@code 1000}, {@code 1_000_000}, {@code 1,000,000}, {@code 2k}, {@code 10m}, {@code 1g}. */
    static long parseCount(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "").replace(",", "");
        long unit = 1;
        if (t.endsWith("k")) {
            unit = 1_000;
        } else if (t.endsWith("m")) {
            unit = 1_000_000;
        } else if (t.endsWith("g")) {
            unit = 1_000_000_000;
        }
        try {
            long value = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1));
            if (value < 0) {
                throw new TypeConversionException("'" + text + "' must not be negative");
            }
            return Math.multiplyExact(value, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new TypeConversionException("'" + text + "' is not a count (examples: 1000, 1_000_000, 2k, 10m)");
        }
    }

    /** Prints a count with underscores, which {@link #parseCount} reads back. */
    static String formatCount(long count) {
        return String.format(Locale.ROOT, "%,d", count).replace(',', '_');
    }

    /** Parses {@code 200}, {@code 4k}, {@code 64m}, {@code 1g}, {@code 64MiB} (binary units). */
    static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (t.endsWith("k")) {
            shift = 10;
        } else if (t.endsWith("m")) {
            shift = 20;
        } else if (t.endsWith("g")) {
            shift = 30;
        }
        try {
            long value = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new TypeConversionException("'" + text + "' is out of range");
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a size (examples: 200, 4k, 64m, 1g, 64MiB)");
        }
    }

    /** Prints a size in the largest binary unit that divides it, which {@link #parseSize} reads back. */
    static String formatSize(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    private static String strip(String t) {
        return t.substring(0, t.length() - 1);
    }

    private static Duration nonNegative(String text, Duration d) {
        if (d.isNegative()) {
            throw new TypeConversionException("'" + text + "' must not be negative");
        }
        return d;
    }

    /** picocli converter for durations. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parseDuration(value);
        }
    }

    /** picocli converter for counts. */
    static final class CountConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseCount(value);
        }
    }

    /** picocli converter for byte sizes. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseSize(value);
        }
    }
}
