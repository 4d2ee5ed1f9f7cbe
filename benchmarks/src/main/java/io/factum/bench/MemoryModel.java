package io.factum.bench;

/**
 * A linear model of a store's heap: {@code heap = fixedBytes + bytesPerEvent * events +
 * bytesPerStream * streams}, fitted exactly through three measurements. The fixed part absorbs the
 * engine's bounded structures (caches, buffers), which stop growing once a store exceeds their
 * bound. Predictions far beyond the measured sizes are extrapolations and are labelled so.
 *
 * @param fixedBytes heap that does not grow with events or streams
 * @param bytesPerEvent heap per event
 * @param bytesPerStream heap per stream, beyond its events
 */
record MemoryModel(double fixedBytes, double bytesPerEvent, double bytesPerStream) {

    /** One measurement: heap attributed to a store of this many events and streams. */
    record Point(long events, long streams, long heapBytes) {}

    /** Solves the three equations; NaN coefficients when the points do not tell them apart. */
    static MemoryModel fit(Point a, Point b, Point c) {
        double[][] m = {
            {1, a.events(), a.streams(), a.heapBytes()},
            {1, b.events(), b.streams(), b.heapBytes()},
            {1, c.events(), c.streams(), c.heapBytes()}
        };
        // Gaussian elimination with partial pivoting on the 3x4 augmented matrix.
        for (int col = 0; col < 3; col++) {
            int pivot = col;
            for (int row = col + 1; row < 3; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            if (Math.abs(m[col][col]) < 1e-9 * scale(m, col)) {
                return new MemoryModel(Double.NaN, Double.NaN, Double.NaN);
            }
            for (int row = 0; row < 3; row++) {
                if (row != col) {
                    double f = m[row][col] / m[col][col];
                    for (int k = col; k < 4; k++) {
                        m[row][k] -= f * m[col][k];
                    }
                }
            }
        }
        return new MemoryModel(m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]);
    }

    double predict(long events, long streams) {
        return fixedBytes + bytesPerEvent * events + bytesPerStream * streams;
    }

    /** The largest magnitude in a column, so that "zero" is judged relative to the numbers in it. */
    private static double scale(double[][] m, int col) {
        double s = 0;
        for (double[] row : m) {
            s = Math.max(s, Math.abs(row[col]));
        }
        return Math.max(s, 1);
    }
}
