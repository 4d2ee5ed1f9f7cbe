package io.factum.framework.projection;

/**
 * How far a projection is, for progress bars and lag metrics.
 *
 * @param processedThrough the lowest position every running partition has applied up to
 * @param head the store's newest position
 * @param handled events applied by this instance since it started
 */
public record ProjectionProgress(long processedThrough, long head, long handled) {
    /** Events (positions) still to apply. */
    public long lag() {
        return Math.max(0, head - processedThrough);
    }

    /** How far along, 0 to 1. */
    public double fraction() {
        return head < 0 ? 1.0 : Math.min(1.0, (processedThrough + 1.0) / (head + 1.0));
    }

    /** A one-line bar, for example {@code [#########...........]  45%  1234/2700  lag 1466}. */
    public String bar(int width) {
        int filled = (int) Math.round(fraction() * width);
        return "[" + "#".repeat(filled) + ".".repeat(Math.max(0, width - filled)) + "] "
                + String.format("%3.0f%%  %d/%d  lag %d", fraction() * 100, processedThrough + 1, head + 1, lag());
    }
}
