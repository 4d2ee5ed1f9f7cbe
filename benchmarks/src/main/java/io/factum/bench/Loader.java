package io.factum.bench;

import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAppend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fills a store with N events spread over M streams, for the read, restart and index scenarios.
 *
 * <p>Layout: event k (0-based) goes to stream {@code k / eventsPerStream}, where {@code
 * eventsPerStream = ceil(N / M)}; so every stream but the last holds exactly that many events and
 * a stream's events are contiguous in {@code $all}. Events are written in batches of up to {@code
 * batchSize}; a batch that crosses stream boundaries is one atomic multi-stream append.
 *
 * <p>Stateless; thread-safe as far as the store is.
 */
final class Loader {

    /** One stream's share of a batch. */
    record Part(long stream, long firstEvent, int count) {}

    /**
     * @param events events written
     * @param streams streams they went to
     * @param seconds time the load took
     */
    record Loaded(long events, long streams, double seconds) {
        double eventsPerSec() {
            return events / seconds;
        }
    }

    static final int DEFAULT_BATCH = 1000;

    private Loader() {}

    /** Streams needed for {@code events} events in streams of {@code streamLength}. */
    static long streamsFor(long events, long streamLength) {
        return Math.max(1, (events + streamLength - 1) / streamLength);
    }

    static long eventsPerStream(long events, long streams) {
        return Math.max(1, (events + streams - 1) / streams);
    }

    /** The parts of the batch of {@code count} events starting at event {@code first}. */
    static List<Part> plan(long first, int count, long eventsPerStream) {
        List<Part> parts = new ArrayList<>();
        long k = first;
        long end = first + count;
        while (k < end) {
            long stream = k / eventsPerStream;
            long streamEnd = (stream + 1) * eventsPerStream;
            int n = (int) (Math.min(end, streamEnd) - k);
            parts.add(new Part(stream, k, n));
            k += n;
        }
        return parts;
    }

    /**
     * The parts of a batch when events go round-robin over the streams (event k to stream k mod
     * streams): each stream's events are spread over the whole log, as when many entities are
     * written at once, so reading one stream cannot be a sequential read of the log.
     */
    static List<Part> planInterleaved(long first, int count, long streams) {
        List<Part> parts = new ArrayList<>();
        int perStreamInBatch = (int) ((count + streams - 1) / streams);
        for (long s = 0; s < Math.min(streams, count); s++) {
            long stream = (first + s) % streams;
            int n = (int) Math.min(perStreamInBatch, (count - s + streams - 1) / streams);
            if (n > 0) {
                parts.add(new Part(stream, first + s, n));
            }
        }
        return parts;
    }

    static String streamName(long stream) {
        return "load-" + stream;
    }

    static Loaded load(EventStore store, long events, long streams, int batchSize, RunContext ctx, String label) {
        return load(store, events, streams, batchSize, false, ctx, label);
    }

    static Loaded load(
            EventStore store,
            long events,
            long streams,
            int batchSize,
            boolean interleaved,
            RunContext ctx,
            String label) {
        long perStream = eventsPerStream(events, streams);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (Progress p = Progress.start(ctx, label, "events", done::get, events)) {
            for (long k = 0; k < events; k += batchSize) {
                int count = (int) Math.min(batchSize, events - k);
                List<Part> parts = interleaved ? planInterleaved(k, count, streams) : plan(k, count, perStream);
                if (parts.size() == 1) {
                    Part part = parts.get(0);
                    store.append(streamName(part.stream()), ExpectedVersion.any(), eventsOf(part, ctx.eventSize()));
                } else {
                    List<StreamAppend> appends = new ArrayList<>(parts.size());
                    for (Part part : parts) {
                        appends.add(new StreamAppend(
                                streamName(part.stream()), ExpectedVersion.any(), eventsOf(part, ctx.eventSize())));
                    }
                    store.appendMulti(appends);
                }
                done.addAndGet(count);
            }
        }
        long usedStreams = interleaved ? Math.min(streams, events) : (events + perStream - 1) / perStream;
        return new Loaded(events, usedStreams, (System.nanoTime() - start) / 1e9);
    }

    private static List<EventData> eventsOf(Part part, int eventSize) {
        List<EventData> list = new ArrayList<>(part.count());
        long t = System.nanoTime();
        for (int i = 0; i < part.count(); i++) {
            list.add(Payloads.event(t, part.stream(), part.firstEvent() + i, eventSize));
        }
        return list;
    }
}
