package io.factum.server.metrics;

import java.util.HashSet;
import java.util.Set;

/**
 * Builds the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and {@code # TYPE}
 * line per metric family, then its samples. Label values are escaped as the format requires. Not
 * thread-safe: one instance per scrape.
 */
final class PrometheusText {

    /** The content type of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(16 * 1024);
    private final Set<String> families = new HashSet<>();
    private String current = "";

    /** Starts a family; samples written with {@link #sample(double, String...)} belong to it. */
    void family(String name, String type, String help) {
        if (!families.add(name)) {
            throw new IllegalStateException("metric family " + name + " written twice");
        }
        current = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /**
     * A sample of the current family (the format wants a family's samples together); labels are
     * name, value pairs.
     */
    void sample(double value, String... labels) {
        sampleOf("", value, labels);
    }

    /** A sample of the current family under a suffixed name, as histograms write theirs. */
    void sampleOf(String suffix, double value, String... labels) {
        if (current.isEmpty()) {
            throw new IllegalStateException("a sample before any metric family");
        }
        out.append(current).append(suffix);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i])
                        .append("=\"")
                        .append(escapeLabel(labels[i + 1]))
                        .append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
    }

    String text() {
        return out.toString();
    }

    private static String format(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    private static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String value) {
        return value.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
