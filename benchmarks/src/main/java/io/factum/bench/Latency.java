package io.factum.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in nanoseconds, converted to milliseconds.
 *
 * @param count values recorded
 * @param p50Ms median
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param maxMs largest value (to the histogram's precision)
 */
record Latency(long count, double p50Ms, double p99Ms, double p999Ms, double maxMs) {

    /** HdrHistogram with 3 significant digits: a 1 ms value is kept to within 1 µs. */
    static final int SIGNIFICANT_DIGITS = 3;

    static Latency of(Histogram nanos) {
        return new Latency(
                nanos.getTotalCount(),
                ms(nanos.getValueAtPercentile(50)),
                ms(nanos.getValueAtPercentile(99)),
                ms(nanos.getValueAtPercentile(99.9)),
                ms(nanos.getMaxValue()));
    }

    /** Figures named "{@code prefix} p50" and so on; {@code p99Target} is attached to p99. */
    List<Figure> figures(String prefix, String p99Target) {
        Figure p99 = p99Target.isEmpty()
                ? Figure.of(prefix + " p99", p99Ms, "ms")
                : Figure.of(prefix + " p99", p99Ms, "ms", p99Target);
        return List.of(
                Figure.of(prefix + " p50", p50Ms, "ms"),
                p99,
                Figure.of(prefix + " p99.9", p999Ms, "ms"),
                Figure.of(prefix + " max", maxMs, "ms"),
                Figure.of(prefix + " samples", count, "samples"));
    }

    /** One line for progress output: "p50 0.412 ms, p99 1.870 ms". */
    String brief() {
        return "p50 " + Figure.format(p50Ms, "ms") + ", p99 " + Figure.format(p99Ms, "ms");
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
