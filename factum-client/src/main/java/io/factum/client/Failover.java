package io.factum.client;

import io.factum.api.AppendCondition;
import io.factum.api.FactumException;
import io.factum.api.NotLeaderException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a call on the current node and, when that node cannot serve it, moves to one that can and
 * runs it again, all within one deadline per operation.
 *
 * <ul>
 *   <li>A write answered with {@link NotLeaderException} moves to the leader it names; without a
 *       name (an election, no majority) the seeds' gossip is asked who leads now.
 *   <li>Any call whose node is unreachable (connection refused or lost) asks gossip for another
 *       node: the leader for a write, any live node for a read. Reads otherwise stay where they
 *       are: a follower serves them (stale, never going back), so a read is never redirected.
 *   <li>A call that failed on a node another thread has already moved away from is retried on the
 *       current node without asking anyone: its channel may have been shut down under it.
 * </ul>
 *
 * <p>Retrying a write is safe. A follower refuses a write before proposing anything, so the first
 * attempt stored nothing. When the node became unreachable mid-call, or the leader lost its
 * majority with the write in flight, the write may have been stored; the retry carries the same
 * event ids, and the store answers an append that it already holds with the first attempt's
 * result and writes nothing ({@code written} is false): with an expected version it finds the ids
 * at that place, with {@code any} in the recent ids that every replica keeps alike, and a
 * conditional append is recognised before its condition is checked. Deletes carry no ids: a
 * retried soft delete whose first attempt was stored writes its marker again (the stream stays
 * deleted) or, if it expected the stream to exist, fails with {@code
 * WrongExpectedVersionException}; such a tombstone fails with {@code StreamDeletedException}.
 *
 * <p>Attempts are bounded by {@link #MAX_ATTEMPTS} and by the deadline; the error that ends the
 * operation says what was tried. One search through gossip runs at a time: the threads that hit
 * the same failure wait for its result instead of each asking every seed. Thread-safe.
 */
final class Failover {

    /**
     * Attempts per operation. A failover may take four: the node that went away, a leader that
     * gossip still names but is gone too, the new leader before it is ready, and the new leader;
     * twice that leaves room for a channel replaced under a call and a second election. Only a
     * redirect to a named leader is immediate; a search waits for gossip (and pauses between its
     * rounds), and the deadline bounds them all.
     */
    static final int MAX_ATTEMPTS = 8;

    /** One attempt of a call on a node's channel; {@code options} carry the operation's deadline. */
    @FunctionalInterface
    interface Attempt<T> {
        T run(Channel channel, CallOptions options);
    }

    private enum Kind {
        READ,
        WRITE
    }

    private final Connection connection;
    private final Discovery discovery;
    private final Duration deadline;
    private final BooleanSupplier closed;
    private final Supplier<StoreClosedException> closedError;
    private final ReentrantLock searching = new ReentrantLock();

    Failover(
            Connection connection,
            Discovery discovery,
            Duration deadline,
            BooleanSupplier closed,
            Supplier<StoreClosedException> closedError) {
        this.connection = connection;
        this.discovery = discovery;
        this.deadline = deadline;
        this.closed = closed;
        this.closedError = closedError;
    }

    /** The deadline of an operation that starts now. */
    Deadline newDeadline() {
        return Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A read: stays on the current node unless it is unreachable. */
    <T> T read(String stream, Attempt<T> attempt) {
        return run(Kind.READ, stream, Optional.empty(), attempt);
    }

    /** A write: follows the leader. */
    <T> T write(String stream, Optional<AppendCondition> condition, Attempt<T> attempt) {
        return run(Kind.WRITE, stream, condition, attempt);
    }

    private <T> T run(Kind kind, String stream, Optional<AppendCondition> condition, Attempt<T> attempt) {
        Deadline until = newDeadline();
        Set<ClientOptions.Endpoint> gone = new HashSet<>(); // found unreachable during this operation
        Connection.Node node = connection.current();
        for (int attempts = 1; ; attempts++) {
            try {
                return attempt.run(node.channel(), CallOptions.DEFAULT.withDeadline(until));
            } catch (StatusRuntimeException e) {
                if (closed.getAsBoolean()) {
                    throw closedError.get();
                }
                FactumException error = node.errors().map(e, stream, condition);
                if (attempts >= MAX_ATTEMPTS || until.isExpired()) {
                    throw error;
                }
                node = next(kind, node, e, error, gone, until);
            }
        }
    }

    /** The node to try next; throws the operation's final error when there is none. */
    private Connection.Node next(
            Kind kind,
            Connection.Node failed,
            StatusRuntimeException cause,
            FactumException error,
            Set<ClientOptions.Endpoint> gone,
            Deadline until) {
        boolean unreachable = ErrorMapper.unreachable(cause);
        Optional<NotLeaderException> notLeader =
                kind == Kind.WRITE && error instanceof NotLeaderException n ? Optional.of(n) : Optional.empty();
        if (!unreachable && notLeader.isEmpty()) {
            throw error;
        }
        if (unreachable) {
            gone.add(failed.endpoint());
        }
        Connection.Node now = connection.current();
        if (now != failed) {
            return now; // another thread moved on already
        }
        Optional<ClientOptions.Endpoint> named = notLeader
                .flatMap(NotLeaderException::leader)
                .map(leader -> new ClientOptions.Endpoint(leader.host(), leader.port()))
                .filter(leader -> !gone.contains(leader));
        if (named.isPresent()) {
            return connection.move(failed, named.get());
        }
        // Gossip from the others may name a node that is gone until they notice; such nodes are
        // avoided. A node that refused a write is not: it may be a new leader not ready yet.
        Discovery.Want want = kind == Kind.WRITE ? Discovery.Want.LEADER : Discovery.Want.LIVE;
        Connection.Node next =
                search(failed, want, Set.copyOf(gone), until).orElseThrow(why -> finalError(error, cause, why));
        if (next == failed) {
            // Named again by gossip: give it a moment to become ready rather than ask it at once.
            Discovery.pause(until);
        }
        return next;
    }

    /**
     * The move after {@code failed} turned out unreachable, for calls that do not go through {@link
     * #read} (opening a subscription): the node to use now, or empty with the reason.
     */
    Result moveAfterUnreachable(Connection.Node failed, Deadline until) {
        if (until.isExpired()) {
            return new Result(Optional.empty(), "no time was left to look for another node");
        }
        Connection.Node now = connection.current();
        if (now != failed) {
            return new Result(Optional.of(now), "");
        }
        return search(failed, Discovery.Want.LIVE, Set.of(failed.endpoint()), until);
    }

    /** A node to move to, or why there is none. */
    record Result(Optional<Connection.Node> node, String why) {
        <X extends RuntimeException> Connection.Node orElseThrow(Function<String, X> error) {
            return node.orElseThrow(() -> error.apply(why));
        }
    }

    /** Asks gossip, one search at a time; a thread that waited uses the move the search made. */
    private Result search(
            Connection.Node failed, Discovery.Want want, Set<ClientOptions.Endpoint> avoid, Deadline until) {
        try {
            if (!searching.tryLock(until.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
                return new Result(Optional.empty(), "another search for a node did not end in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Optional.empty(), "interrupted while another search for a node ran");
        }
        try {
            Connection.Node now = connection.current();
            if (now != failed) {
                return new Result(Optional.of(now), "");
            }
            return switch (discovery.find(want, until, avoid)) {
                case Discovery.Outcome.Found f -> new Result(Optional.of(connection.move(failed, f.node())), "");
                case Discovery.Outcome.NotFound n -> new Result(Optional.empty(), n.why());
            };
        } finally {
            searching.unlock();
        }
    }

    /** The error that ends an operation for which gossip found no node: what failed, and why. */
    private static FactumException finalError(FactumException error, StatusRuntimeException cause, String why) {
        String message = error.getMessage() + "; " + why;
        return error instanceof NotLeaderException
                ? new NotLeaderException(message, Optional.empty(), error)
                : new StoreFailedException(message, cause);
    }
}
