package io.factum.bench;

import io.factum.api.ContentType;
import io.factum.api.EventData;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The events the benchmarks write: JSON data of an exact size that carries the writer's {@code
 * System.nanoTime()} at the start of the append, so that a subscriber can compute
 * append-to-delivery latency in the same process.
 *
 * <p>Data layout: {@code {"t":<nanoTime>,"w":<writer>,"n":<sequence>,"p":"xxx…"}}, padded with
 * {@code x} to the requested size (larger only when the numbers alone exceed it).
 *
 * <p>Stateless; thread-safe.
 */
final class Payloads {

    static final String EVENT_TYPE = "BenchEvent";

    /** Smallest --event-size: room for the three numbers and a little padding. */
    static final int MIN_EVENT_BYTES = 64;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[] PREFIX = "{\"t\":".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {}

    /** An event whose data is {@link #json} and whose id comes from a fast non-secure random. */
    static EventData event(long nanoTime, long writer, long sequence, int sizeBytes) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        // UUID.randomUUID() draws from one shared SecureRandom: under 64 writers that lock would be
        // part of the measurement. Version-4 bits are set so the ids are well-formed.
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
        return new EventData(
                new UUID(msb, lsb), EVENT_TYPE, json(nanoTime, writer, sequence, sizeBytes), EMPTY, ContentType.JSON);
    }

    /**
     * Writes the digits straight into the result: this runs once per event in the client thread,
     * which on two cores competes with the store's writer, so it must cost next to nothing.
     */
    static byte[] json(long nanoTime, long writer, long sequence, int sizeBytes) {
        byte[] scratch = new byte[3 * 20 + 32];
        int n = put(scratch, 0, "{\"t\":");
        n = putLong(scratch, n, nanoTime);
        n = put(scratch, n, ",\"w\":");
        n = putLong(scratch, n, writer);
        n = put(scratch, n, ",\"n\":");
        n = putLong(scratch, n, sequence);
        n = put(scratch, n, ",\"p\":\"");
        int padding = Math.max(0, sizeBytes - n - 2);
        byte[] out = new byte[n + padding + 2];
        System.arraycopy(scratch, 0, out, 0, n);
        Arrays.fill(out, n, n + padding, (byte) 'x');
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    private static int put(byte[] out, int at, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            out[at++] = (byte) ascii.charAt(i);
        }
        return at;
    }

    private static int putLong(byte[] out, int at, long value) {
        if (value == Long.MIN_VALUE) {
            return put(out, at, Long.toString(value));
        }
        if (value < 0) {
            out[at++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = at + digits - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + digits;
    }

    /** The nanoTime written by {@link #json}; cheap enough to call on every delivered event. */
    static long nanoTimeOf(byte[] data) {
        if (data.length < PREFIX.length + 2 || !Arrays.equals(data, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            throw new BenchmarkFailedException("event data does not start with {\"t\": (not a benchmark event)");
        }
        int i = PREFIX.length;
        boolean negative = data[i] == '-';
        if (negative) {
            i++;
        }
        long value = 0;
        int digits = 0;
        for (; i < data.length && data[i] >= '0' && data[i] <= '9'; i++, digits++) {
            value = value * 10 + (data[i] - '0');
        }
        if (digits == 0) {
            throw new BenchmarkFailedException("event data has no number after {\"t\":");
        }
        return negative ? -value : value;
    }
}
