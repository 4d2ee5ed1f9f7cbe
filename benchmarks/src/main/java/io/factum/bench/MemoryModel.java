package io.factum.bench;

/**
 * A linear model of index heap: {@code heap = bytesPerEvent * events + bytesPerStream * streams},
 * fitted exactly through two measurements with different numbers of streams. Predictions far beyond
 * the measured sizes are extrapolations and are labelled so.
 *
 * @param bytesPerEvent heap per event
 * @param bytesPerStream heap per stream, beyond its events
 */
record MemoryModel(double bytesPerEvent, double bytesPerStream) {

    /** One measurement: heap attributed to an index of this many events and streams. */
    record Point(long events, long streams, long heapBytes) {}

    /** Solves the two equations; NaN coefficients when the points do not tell them apart. */
    static MemoryModel fit(Point a, Point b) {
        double det = (double) a.events() * b.streams() - (double) b.events() * a.streams();
        if (det == 0) {
            return new MemoryModel(Double.NaN, Double.NaN);
        }
        double perEvent = ((double) a.heapBytes() * b.streams() - (double) b.heapBytes() * a.streams()) / det;
        double perStream = ((double) a.events() * b.heapBytes() - (double) b.events() * a.heapBytes()) / det;
        return new MemoryModel(perEvent, perStream);
    }

    double predict(long events, long streams) {
        return bytesPerEvent * events + bytesPerStream * streams;
    }
}
