package io.factum.cluster;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.engine.EmbeddedEventStore;
import io.factum.engine.Replica;
import io.factum.engine.WriteCommand;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The {@link EventStore} of one cluster node, which the server serves unchanged: writes are
 * validated here, then ordered by Raft and applied on every node; reads, reads by query and
 * subscriptions are served by this node's own store.
 *
 * <p>On a follower every write fails with {@link io.factum.api.NotLeaderException} naming the
 * leader's client endpoint (the official clients reconnect there). On the leader, reads first wait
 * for Raft's read index, so they see every write acknowledged before they began; on a follower they
 * see what it has applied, which never goes back. Subscriptions on any node deliver what that node
 * has applied, in position order, and survive nothing: after a failover a subscriber subscribes
 * again from its checkpoint (as KurrentDB's clients do).
 */
public final class ClusterEventStore implements EventStore {
    private final ClusterNode node;
    private final StoreLimits limits;

    ClusterEventStore(ClusterNode node, StoreLimits limits) {
        this.node = node;
        this.limits = limits;
    }

    private EmbeddedEventStore local() {
        return node.replica().store();
    }

    /** The node this store belongs to. */
    public ClusterNode node() {
        return node;
    }

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        return write(WriteCommand.append(stream, expected, events, limits)).get(0);
    }

    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        return write(WriteCommand.append(appends, condition, limits));
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        return write(WriteCommand.setMetadata(stream, expected, metadata, limits))
                .get(0);
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        return new DeleteResult(
                write(WriteCommand.softDelete(stream, expected, limits)).get(0).position());
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        return new DeleteResult(
                write(WriteCommand.tombstone(stream, expected, limits)).get(0).position());
    }

    private List<AppendResult> write(WriteCommand command) {
        CompletableFuture<Replica.Outcome> outcome = node.propose(command);
        try {
            return switch (outcome.join()) {
                case Replica.Outcome.Done d -> d.results();
                case Replica.Outcome.Refused r -> throw r.error();
            };
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FactumException f) {
                throw f;
            }
            if (cause instanceof TimeoutException) {
                throw node.notLeader("no majority applied the append within "
                        + node.options().writeTimeout() + "; it may or may not be stored");
            }
            throw new StoreFailedException(
                    "the append failed on node " + node.options().nodeId() + ": " + cause, cause);
        }
    }

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        node.readBarrier();
        return local().readStream(stream, fromVersion, direction, maxCount);
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions options) {
        node.readBarrier();
        return local().readAll(options);
    }

    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        node.readBarrier();
        return local().readByQuery(query, fromPosition, direction, maxCount);
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        return local().subscribeToStream(stream, from, listener);
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        return local().subscribeToAll(options, listener);
    }

    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        return local().subscribeToQuery(query, from, listener);
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        node.readBarrier();
        return local().getStreamMetadata(stream);
    }

    @Override
    public long headPosition() {
        try {
            return local().headPosition();
        } catch (IllegalStateException e) {
            throw new StoreClosedException("node " + node.options().nodeId() + " has no store open");
        }
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    /** Stops the node this store belongs to. */
    @Override
    public void close() {
        node.close();
    }
}
