package io.factum.cluster.internal;

import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.engine.Replica;
import io.factum.engine.WriteCommand;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns the appends a node receives into Raft entries: one thread takes what is queued, up to a
 * byte bound, into one entry, and proposes it to the local Raft server. While the leader has
 * {@code maxInFlight} entries proposed and not yet applied, appends queue up and go together in
 * the next entry: group commit across the cluster, as the engine's writer does for one disk.
 *
 * <p>A caller's future completes when this node applies the entry (with the outcome the store
 * decided), or fails with {@link NotLeaderException} when Raft refuses or drops the entry (the
 * node is not the leader, or lost the leadership), or when no majority applied it within the write
 * timeout: its outcome is then unknown, and a retry with the same event ids is safe.
 */
public final class Proposer implements AutoCloseable, ReplicatedState.Applied {
    private static final System.Logger LOG = System.getLogger(Proposer.class.getName());

    /** Proposes an entry's bytes to Raft; completes when Raft replied (after apply) or failed. */
    public interface Submit {
        CompletableFuture<Void> submit(byte[] entry);
    }

    private record Proposal(WriteCommand command, CompletableFuture<Replica.Outcome> done) {}

    private final String proposer;
    private final Submit submit;
    private final Clock clock;
    private final Duration writeTimeout;
    private final int maxEntryBytes;
    private final Semaphore inFlight;
    private final Function<String, NotLeaderException> notLeader;
    private final BlockingQueue<Proposal> queue = new ArrayBlockingQueue<>(16_384);
    private final Map<Long, List<Proposal>> pending = new ConcurrentHashMap<>();
    private final Thread thread;
    private long nextBatch;
    private volatile boolean closed;

    /**
     * @param proposer this node's id and a per-start session, so that entries of an earlier run
     *     that are applied again at start never match this run's batches
     * @param notLeader the error for a refused entry, given the reason, naming the leader if known
     */
    public Proposer(
            String proposer,
            Submit submit,
            Clock clock,
            Duration writeTimeout,
            int maxInFlight,
            int maxEntryBytes,
            Function<String, NotLeaderException> notLeader) {
        this.proposer = proposer;
        this.submit = submit;
        this.clock = clock;
        this.writeTimeout = writeTimeout;
        this.maxEntryBytes = maxEntryBytes;
        this.inFlight = new Semaphore(maxInFlight);
        this.notLeader = notLeader;
        this.thread = Thread.ofPlatform().name("factum-proposer").daemon(true).start(this::run);
    }

    /** Queues a command (blocking while the queue is full); the future completes once applied here. */
    public CompletableFuture<Replica.Outcome> propose(WriteCommand command) {
        if (closed) {
            throw new StoreClosedException("the node is shutting down");
        }
        Proposal p = new Proposal(command, new CompletableFuture<>());
        try {
            queue.put(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreClosedException("interrupted while queueing an append");
        }
        if (closed) {
            failQueued(new StoreClosedException("the node is shutting down"));
        }
        return p.done.orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        List<Proposal> batch = new ArrayList<>();
        while (!closed) {
            try {
                inFlight.acquire();
                Proposal first = queue.take();
                batch.add(first);
                long bytes = first.command().sizeBytes();
                Proposal more;
                while (bytes < maxEntryBytes && (more = queue.peek()) != null) {
                    if (bytes + more.command().sizeBytes() > maxEntryBytes) {
                        break;
                    }
                    batch.add(queue.poll());
                    bytes += more.command().sizeBytes();
                }
                propose(List.copyOf(batch));
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "proposing an entry failed", e);
                inFlight.release();
                fail(batch, notLeader.apply("proposing the append failed: " + e));
            } finally {
                batch.clear();
            }
        }
        failQueued(new StoreClosedException("the node is shutting down"));
    }

    private void propose(List<Proposal> batch) {
        long id = nextBatch++;
        List<WriteCommand> commands = new ArrayList<>(batch.size());
        batch.forEach(p -> commands.add(p.command()));
        byte[] entry = new Entry(proposer, id, clock.instant(), commands).encode();
        pending.put(id, batch);
        CompletableFuture<Void> replied;
        try {
            replied = submit.submit(entry);
        } catch (RuntimeException e) {
            replied = CompletableFuture.failedFuture(e);
        }
        replied.orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
            inFlight.release();
            List<Proposal> left = pending.remove(id);
            if (left != null) {
                // Not applied here: refused, dropped, or timed out without a majority.
                String why = error == null ? "the entry was not applied on this node" : describe(error);
                fail(left, notLeader.apply(why));
            }
        });
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return "no majority acknowledged the append in time; it may or may not be stored";
        }
        return "the append was not committed (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                + "); it may or may not be stored";
    }

    @Override
    public void applied(Entry entry, List<Replica.Outcome> outcomes) {
        if (!entry.proposer().equals(proposer)) {
            return;
        }
        List<Proposal> batch = pending.remove(entry.batch());
        if (batch == null) {
            return; // already failed (a timeout): the caller was told the outcome is unknown
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).done().complete(outcomes.get(i));
        }
    }

    private static void fail(List<Proposal> batch, RuntimeException error) {
        for (Proposal p : batch) {
            p.done().completeExceptionally(error);
        }
    }

    private void failQueued(RuntimeException error) {
        List<Proposal> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, error);
    }

    /** Entries proposed and not yet applied or failed. */
    public int inFlight() {
        return pending.size();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StoreClosedException closing = new StoreClosedException("the node is shutting down");
        failQueued(closing);
        for (Long id : List.copyOf(pending.keySet())) {
            List<Proposal> left = pending.remove(id);
            if (left != null) {
                fail(left, closing);
            }
        }
    }

    /** The proposer name for this node and run. */
    public static String sessionName(String nodeId, Supplier<Long> random) {
        return nodeId + "/" + Long.toHexString(random.get());
    }
}
