package io.factum.server.cluster;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.ConnectionShutdownException;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.NoClusterNodeFoundException;
import com.eventstore.dbclient.ReadResult;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.StreamNotFoundException;
import com.eventstore.dbclient.WriteResult;
import com.eventstore.dbclient.WrongExpectedVersionException;
import io.factum.testkit.linearizability.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients appending to and reading a few shared streams through the official client in
 * discovery mode, recording every call for the linearizability checker: what was asked, what came
 * back (or that the outcome is unknown) and when. Appends carry fresh event ids and are never
 * retried, so an acknowledged id must be in the log exactly once and an unknown one at most once.
 */
final class Workload implements AutoCloseable {
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(4);

    private final List<String> streams;
    private final String connectionString;
    private final List<EventStoreDBClient> clients = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();
    private final List<Operation> history = Collections.synchronizedList(new ArrayList<>());
    private final Set<UUID> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<UUID> unknown = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lastAck = new AtomicLong();

    /** Starts {@code clients} threads, each with its own connection, on {@code streams} streams. */
    Workload(String connectionString, int clientCount, int streamCount, long seed) {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < streamCount; i++) {
            s.add("fault-" + i);
        }
        this.streams = List.copyOf(s);
        this.connectionString = connectionString;
        for (int c = 0; c < clientCount; c++) {
            int id = c;
            SplittableRandom random = new SplittableRandom(seed + c);
            threads.add(Thread.ofPlatform().name("workload-" + c).start(() -> run(id, random)));
        }
    }

    private EventStoreDBClient newClient() {
        EventStoreDBClient client =
                EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(connectionString));
        clients.add(client);
        return client;
    }

    private void run(int id, SplittableRandom random) {
        long[] knownVersion = new long[streams.size()];
        java.util.Arrays.fill(knownVersion, -1);
        EventStoreDBClient client = newClient();
        while (running.get()) {
            int s = random.nextInt(streams.size());
            int dice = random.nextInt(10);
            Throwable failure = dice < 3
                    ? read(id, client, s, knownVersion)
                    : append(id, client, s, dice < 7 ? knownVersion[s] : Long.MIN_VALUE, knownVersion);
            if (failure instanceof NoClusterNodeFoundException || failure instanceof ConnectionShutdownException) {
                // The official client gives up for good after maxDiscoverAttempts; an application
                // would create a new one, and so does the workload.
                client = newClient();
            }
        }
    }

    /** @return the failure's cause, or null */
    private Throwable read(int id, EventStoreDBClient client, int s, long[] knownVersion) {
        String stream = streams.get(s);
        long call = System.nanoTime();
        try {
            ReadResult r = client.readStream(
                            stream, ReadStreamOptions.get().fromStart().requiresLeader())
                    .get(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            long end = System.nanoTime();
            List<UUID> ids = new ArrayList<>();
            for (ResolvedEvent e : r.getEvents()) {
                ids.add(e.getOriginalEvent().getEventId());
            }
            knownVersion[s] = ids.size() - 1;
            Operation.Output out = ids.isEmpty() ? new Operation.Output.NotFound() : new Operation.Output.ReadOk(ids);
            history.add(Operation.completed(id, new Operation.Input.Read(stream), out, call, end));
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StreamNotFoundException) {
                knownVersion[s] = -1;
                history.add(Operation.completed(
                        id,
                        new Operation.Input.Read(stream),
                        new Operation.Output.NotFound(),
                        call,
                        System.nanoTime()));
                return null;
            }
            pause();
            // Any other failed read took no effect: it is not part of the history.
            return e.getCause();
        } catch (TimeoutException e) {
            pause();
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
            return e;
        }
    }

    /** @param expected the stream's last version to expect, or Long.MIN_VALUE for ANY */
    private Throwable append(int id, EventStoreDBClient client, int s, long expected, long[] knownVersion) {
        String stream = streams.get(s);
        UUID eventId = UUID.randomUUID();
        EventData event = EventData.builderAsJson("Happened", ("{\"by\":" + id + "}").getBytes(StandardCharsets.UTF_8))
                .eventId(eventId)
                .build();
        Operation.Expectation expectation;
        ExpectedRevision revision;
        if (expected == Long.MIN_VALUE) {
            expectation = new Operation.Expectation.Any();
            revision = ExpectedRevision.any();
        } else if (expected < 0) {
            expectation = new Operation.Expectation.NoStream();
            revision = ExpectedRevision.noStream();
        } else {
            expectation = new Operation.Expectation.Exact(expected);
            revision = ExpectedRevision.expectedRevision(expected);
        }
        var input = new Operation.Input.Append(stream, expectation, List.of(eventId));
        long call = System.nanoTime();
        try {
            WriteResult w = client.appendToStream(
                            stream, AppendToStreamOptions.get().expectedRevision(revision), event)
                    .get(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            long end = System.nanoTime();
            long last = w.getNextExpectedRevision().toRawLong();
            knownVersion[s] = last;
            acknowledged.add(eventId);
            lastAck.set(end);
            history.add(Operation.completed(id, input, new Operation.Output.AppendOk(last), call, end));
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WrongExpectedVersionException w) {
                long actual = w.getActualVersion().toRawLong();
                knownVersion[s] = actual;
                history.add(Operation.completed(
                        id,
                        input,
                        actual < -1
                                ? Operation.Output.WrongExpectedVersion.unreported()
                                : Operation.Output.WrongExpectedVersion.actual(actual),
                        call,
                        System.nanoTime()));
                return null;
            }
            unknownOutcome(id, input, eventId, call);
            return e.getCause();
        } catch (TimeoutException e) {
            unknownOutcome(id, input, eventId, call);
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unknownOutcome(id, input, eventId, call);
            running.set(false);
            return e;
        }
    }

    private void unknownOutcome(int id, Operation.Input.Append input, UUID eventId, long call) {
        unknown.add(eventId);
        history.add(Operation.unknown(id, input, call));
        pause();
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> streams() {
        return streams;
    }

    /** The System.nanoTime of the newest acknowledged append. */
    long lastAcknowledgedNanos() {
        return lastAck.get();
    }

    long acknowledgedCount() {
        return acknowledged.size();
    }

    /** Waits until at least {@code count} more appends are acknowledged; false on timeout. */
    boolean awaitAcknowledged(long count, Duration timeout) throws InterruptedException {
        long target = acknowledged.size() + count;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledged.size() < target && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return acknowledged.size() >= target;
    }

    /** Stops the clients; the recorded history stays. */
    @Override
    public void close() throws Exception {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        for (EventStoreDBClient c : List.copyOf(clients)) {
            c.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    List<Operation> history() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    Set<UUID> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    Set<UUID> unknown() {
        return Set.copyOf(unknown);
    }

    /** Adds a final read of every stream (after the faults healed), which pins down the unknown appends. */
    void finalReads(String connectionString) throws Exception {
        EventStoreDBClient client =
                EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(connectionString));
        try {
            long[] ignored = new long[streams.size()];
            for (int s = 0; s < streams.size(); s++) {
                read(threads.size(), client, s, ignored);
            }
        } finally {
            client.shutdown().get(10, TimeUnit.SECONDS);
        }
    }
}
