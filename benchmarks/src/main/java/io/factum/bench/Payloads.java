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

    static byte[] json(long nanoTime, long writer, long sequence, int sizeBytes) {
        byte[] head = ("{\"t\":" + nanoTime + ",\"w\":" + writer + ",\"n\":" + sequence + ",\"p\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        int padding = Math.max(0, sizeBytes - head.length - 2);
        byte[] out = new byte[head.length + padding + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        Arrays.fill(out, head.length, head.length + padding, (byte) 'x');
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
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
