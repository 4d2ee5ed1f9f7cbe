package io.factum.bench;

/** A scenario could not produce a trustworthy figure: the store failed, or a check did not hold. */
final class BenchmarkFailedException extends RuntimeException {
    BenchmarkFailedException(String message) {
        super(message);
    }

    BenchmarkFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
