package io.factum.server.crash;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.ReadResult;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.StreamNotFoundException;
import com.eventstore.dbclient.WriteResult;
import com.eventstore.dbclient.WrongExpectedVersionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Concurrent writers on virtual threads, each appending through the official client until it is
 * told to stop or its first append fails other than with a wrong expected version (the server
 * died). Every append is recorded as an {@link Attempt} once the client has answered.
 *
 * <p>Writer {@code w} with {@code w % 3 == 0} appends to {@link #SHARED_STREAMS} shared streams,
 * 60% with the exact revision the writers last saw (so conflicts are frequent), 30% {@code any},
 * 10% {@code streamExists}. The others append to three streams of their own (named by round and
 * writer, so a new round starts them afresh) with the exact revision or {@code noStream}: a
 * conflict there is a bug. Half the appends carry one event, half 2 to 12.
 *
 * <p>Thread-safe; one instance per round.
 */
final class ClientWorkload {

    static final int SHARED_STREAMS = 4;
    private static final int OWN_STREAMS = 3;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final EventStoreDBClient client;
    private final String tag;
    private final int writers;
    private final long seed;
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> sharedRevisions = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch firstAck = new CountDownLatch(1);
    private volatile boolean stopping;

    ClientWorkload(EventStoreDBClient client, String tag, int writers, long seed) {
        this.client = client;
        this.tag = tag;
        this.writers = writers;
        this.seed = seed;
    }

    static String sharedStream(int i) {
        return "shared-" + i;
    }

    /** Learns the shared streams' revisions, then starts the writers. */
    void start() throws Exception {
        for (int i = 0; i < SHARED_STREAMS; i++) {
            sharedRevisions.put(sharedStream(i), lastRevision(sharedStream(i)));
        }
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Random random = new Random(seed * 1_000_003L + w);
            threads.add(Thread.ofVirtual().name(tag + "-writer-" + w).start(() -> run(writer, random)));
        }
    }

    /** Tells the writers to stop and waits for them; returns the names of writers still blocked. */
    List<String> stop(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> blocked = new ArrayList<>();
        for (Thread t : threads) {
            if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                blocked.add(t.getName());
            }
        }
        return blocked;
    }

    /**
     * Waits until some append was acknowledged, so that a kill lands while the writers are in full
     * flow rather than while the client is still connecting; false on timeout.
     */
    boolean awaitFirstAck(Duration timeout) throws InterruptedException {
        return firstAck.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Things that must never happen while the server is alive, e.g. a conflict on a private stream. */
    List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    private void run(int writer, Random random) {
        long[] ownRevisions = {-1, -1, -1};
        for (long seq = 0; !stopping; seq++) {
            boolean shared = writer % 3 == 0;
            int slot = random.nextInt(shared ? SHARED_STREAMS : OWN_STREAMS);
            String stream = shared ? sharedStream(slot) : tag + "-w" + writer + "-" + slot;
            long expected = shared ? sharedExpectation(random, stream) : ownRevisions[slot];
            int count = random.nextBoolean() ? 1 : 2 + random.nextInt(11);
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(new UUID(random.nextLong(), random.nextLong()));
            }
            Attempt attempt = append(client, tag + "-w" + writer + "-" + seq, stream, expected, ids);
            attempts.add(attempt);
            switch (attempt.outcome()) {
                case Attempt.Acked a -> {
                    firstAck.countDown();
                    if (shared) {
                        sharedRevisions.merge(stream, a.revision(), Math::max);
                    } else {
                        ownRevisions[slot] = a.revision();
                    }
                }
                case Attempt.Rejected r -> {
                    if (shared) {
                        sharedRevisions.merge(stream, r.actualRevision(), Math::max);
                    } else {
                        unexpected.add(attempt.describe() + " was rejected with actual revision " + r.actualRevision()
                                + " although only this writer appends to the stream");
                        return;
                    }
                }
                case Attempt.InFlight f -> {
                    return; // the server is gone (or failed): this writer is done for the round
                }
            }
        }
    }

    /** Appends one batch of {@link Payload} events and records what the client was told. */
    static Attempt append(EventStoreDBClient client, String batchId, String stream, long expected, List<UUID> ids) {
        EventData[] events = new EventData[ids.size()];
        for (int i = 0; i < events.length; i++) {
            events[i] = Payload.event(batchId, i, ids.get(i));
        }
        var options = AppendToStreamOptions.get().expectedRevision(ExpectedRevision.fromRawLong(expected));
        Attempt.Outcome outcome;
        try {
            WriteResult result =
                    client.appendToStream(stream, options, events).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            outcome = new Attempt.Acked(
                    result.getNextExpectedRevision().toRawLong(),
                    result.getLogPosition().getCommitUnsigned());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WrongExpectedVersionException wev) {
                outcome = new Attempt.Rejected(wev.getActualVersion().toRawLong());
            } else {
                outcome = new Attempt.InFlight(String.valueOf(e.getCause()), System.nanoTime());
            }
        } catch (TimeoutException e) {
            outcome = new Attempt.InFlight("no answer within " + CALL_TIMEOUT, System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = new Attempt.InFlight("interrupted", System.nanoTime());
        }
        return new Attempt(batchId, stream, expected, ids, outcome);
    }

    /** 60% the last revision seen, 30% any, 10% stream exists. */
    private long sharedExpectation(Random random, String stream) {
        int dice = random.nextInt(10);
        if (dice < 6) {
            return sharedRevisions.getOrDefault(stream, Attempt.NO_STREAM);
        }
        return dice < 9 ? Attempt.ANY : Attempt.STREAM_EXISTS;
    }

    private long lastRevision(String stream) throws Exception {
        try {
            ReadResult last = client.readStream(
                            stream,
                            ReadStreamOptions.get().fromEnd().backwards().maxCount(1))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return last.getEvents().isEmpty()
                    ? Attempt.NO_STREAM
                    : last.getEvents().getFirst().getOriginalEvent().getRevision();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamNotFoundException) {
                return Attempt.NO_STREAM;
            }
            throw e;
        }
    }
}
