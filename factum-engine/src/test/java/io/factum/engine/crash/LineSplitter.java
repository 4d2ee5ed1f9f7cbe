package io.factum.engine.crash;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into complete lines. The child is killed at an arbitrary moment, so its
 * last line may be torn; only lines ended by {@code \n} are delivered and {@link #pending()} tells
 * how many bytes of a torn line were dropped.
 *
 * <p>Dropping a torn line is safe for the check: a torn ack only makes the batch "submitted, maybe
 * present" (a weaker claim), and a torn submit line means the child never called the store for
 * that batch (it prints the line first), so any of its events found in the store is reported as
 * never submitted.
 *
 * <p>Not thread-safe: used by one thread at a time.
 */
final class LineSplitter {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final Consumer<String> sink;

    LineSplitter(Consumer<String> sink) {
        this.sink = sink;
    }

    void accept(byte[] buffer, int length) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (buffer[i] == '\n') {
                partial.write(buffer, start, i - start);
                sink.accept(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                start = i + 1;
            }
        }
        partial.write(buffer, start, length - start);
    }

    /** Bytes received after the last newline: a torn line when the stream has ended. */
    int pending() {
        return partial.size();
    }
}
