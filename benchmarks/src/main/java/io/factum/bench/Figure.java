package io.factum.bench;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One measured number with its unit, and the target the issue sets for it when there is one.
 *
 * @param name what was measured, e.g. {@code events/s} or {@code append latency p99}
 * @param value the number, in {@code unit}
 * @param unit one of the units {@link #display()} knows ({@code events/s}, {@code ms}, {@code
 *     MB/s}, ...); MB is 10^6 bytes
 * @param target the target, as text, when it sets one for this figure
 */
record Figure(String name, double value, String unit, Optional<String> target) {

    Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(target, "target");
    }

    static Figure of(String name, double value, String unit) {
        return new Figure(name, value, unit, Optional.empty());
    }

    static Figure of(String name, double value, String unit, String target) {
        return new Figure(name, value, unit, Optional.of(target));
    }

    /** The value printed for people: grouped integers for rates and counts, fixed decimals otherwise. */
    String display() {
        return format(value, unit);
    }

    static String format(double value, String unit) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "n/a";
        }
        return switch (unit) {
            case "ms", "s" -> String.format(Locale.ROOT, "%.3f %s", value, unit);
            case "MB/s", "MiB", "MiB/s" -> String.format(Locale.ROOT, "%,.1f %s", value, unit);
            case "x" -> String.format(Locale.ROOT, "%.2fx", value);
            case "%" -> String.format(Locale.ROOT, "%.1f%%", value);
            case "bytes/event", "bytes/stream", "µs/event" -> String.format(Locale.ROOT, "%,.1f %s", value, unit);
            default -> String.format(Locale.ROOT, "%,.0f %s", value, unit);
        };
    }
}
