package io.factum.api;

import java.util.List;
import java.util.Optional;

/**
 * An event store: immutable events in streams, one global ordered log ({@code $all}), optimistic
 * concurrency, idempotent appends, reads, subscriptions, stream metadata and deletes.
 *
 * <p>Every backend implements exactly these semantics, set out in full in {@code docs/semantics.md}
 * of the repository, and passes the TCK in {@code factum-testkit}:
 *
 * <ul>
 *   <li>Versions in a stream start at 0 and are dense. Global positions start at 0, are dense and
 *       strictly increase in commit order: a reader that has seen position p has seen every event
 *       below p.
 *   <li>An append is atomic: all of its events are stored, or none. It is acknowledged only once
 *       durable (unless the operator chose otherwise explicitly).
 *   <li>A retried append whose event ids are all already stored at the expected place succeeds
 *       without writing ({@link AppendResult#written()} is false); if only some are, it fails with
 *       {@link WrongExpectedVersionException}.
 *   <li>Reads of a stream honour its metadata ({@code maxCount}, {@code maxAge}, {@code
 *       truncateBefore}) and deletes. A metastream ({@code $$stream}) shows only its newest event,
 *       KurrentDB's implicit {@code $maxCount} of 1. Reads of {@code $all} return every stored
 *       record, including tombstones and metadata events, until a scavenge reclaims them.
 *   <li>Events may carry tags. A {@link Query} selects events by type and tags; reads and
 *       subscriptions by query see what {@code $all} sees, restricted to the matching events. A
 *       conditional append ({@link AppendCondition}) fails with {@link
 *       AppendConditionFailedException} when an event matching its query was stored after its
 *       position; the check is atomic with the write (dynamic consistency boundaries: the
 *       semantics in {@code docs/semantics.md}, the model and worked examples in {@code docs/dcb.md}).
 * </ul>
 *
 * <p>Implementations are thread-safe. Methods throw the {@link FactumException} subclasses: {@link
 * InvalidInputException} for bad input (nothing changed), {@link WrongExpectedVersionException},
 * {@link AppendConditionFailedException}, {@link StreamDeletedException}, {@link
 * StoreClosedException}, {@link StoreFailedException}.
 */
public interface EventStore extends AutoCloseable {

    /** Appends events to one stream if {@code expected} holds. */
    AppendResult append(String stream, ExpectedVersion expected, List<EventData> events);

    /**
     * Appends to several streams atomically, each with its own expectation: all or nothing. The
     * events get consecutive positions in the order given. A stream may appear only once.
     *
     * @return one result per part, in order
     * @throws WrongExpectedVersionException for the first part whose expectation failed
     */
    default List<AppendResult> appendMulti(List<StreamAppend> appends) {
        return appendMulti(appends, Optional.empty());
    }

    /**
     * Appends to several streams atomically, each with its own expectation, if the condition holds:
     * no event matching its query is stored after its position. The condition is checked together
     * with the expectations, atomically with the write. A retry of an append that was stored (all of
     * its event ids at the expected places, as for {@link #append}) succeeds without writing, even
     * though its own events now match the condition.
     *
     * @return one result per part, in order
     * @throws WrongExpectedVersionException for the first part whose expectation failed
     * @throws AppendConditionFailedException when the condition failed (after the expectations held)
     */
    List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition);

    /**
     * Reads a stream.
     *
     * @param fromVersion first version to return (inclusive); backwards, {@code Long.MAX_VALUE}
     *     starts at the stream's last event
     * @param maxCount most events to return
     * @throws StreamDeletedException when the stream was tombstoned
     */
    ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount);

    /** Reads {@code $all}. */
    ReadAllResult readAll(ReadAllOptions options);

    /**
     * Reads the events matching a query, in position order, at the cost of the events it matches
     * (backends index tags and types: a read never scans the log).
     *
     * @param fromPosition first position to examine (inclusive); backwards, {@link
     *     ReadAllOptions#END} starts at the head
     * @param maxCount most events to return, 1 to {@link StoreLimits#maxReadCount()}
     * @return the matching events and the head position the read was consistent at
     */
    QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount);

    /**
     * Subscribes to a stream: catch-up from {@code from}, then live, with no gap and no duplicate at
     * the switch. A stream that does not exist yet is waited for. Events hidden by the stream's
     * metadata at delivery time are skipped.
     *
     * @throws StreamDeletedException when the stream is tombstoned
     */
    Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener);

    /** Subscribes to {@code $all}; filtered subscriptions also report checkpoints. */
    Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener);

    /**
     * Subscribes to the events matching a query: catch-up from {@code from} (a global position),
     * then live, with no gap and no duplicate at the switch, like a filtered {@code $all}
     * subscription. When it has examined the log up to a position without delivering there (on
     * catching up, and when live commits hold no match) it reports a checkpoint, so a subscriber to
     * rare events can persist its place.
     */
    Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener);

    /**
     * The stream's metadata; empty metadata with version -1 when none was set.
     *
     * @throws StreamDeletedException when the stream is tombstoned
     */
    StreamMetadataResult getStreamMetadata(String stream);

    /**
     * Replaces the stream's metadata: appends a {@code $metadata} event to {@code $$stream}.
     *
     * @param expectedMetastreamVersion expectation on the metastream, for concurrent editors
     */
    AppendResult setStreamMetadata(String stream, ExpectedVersion expectedMetastreamVersion, StreamMetadata metadata);

    /**
     * Soft-deletes a stream: its events are hidden (reads say "not found") and a later append
     * continues its version numbering. Implemented as metadata with {@code truncateBefore = }{@link
     * StreamMetadata#DELETED}, as KurrentDB does. Deleting a stream that was never written is allowed
     * with {@code any} or {@code noStream}; a later append then starts at version 0.
     */
    DeleteResult delete(String stream, ExpectedVersion expected);

    /** Tombstones a stream: reads and writes fail with {@link StreamDeletedException} for ever. */
    DeleteResult tombstone(String stream, ExpectedVersion expected);

    /** The position of the newest committed event, {@code -1} when the log is empty. */
    long headPosition();

    /** The limits this store enforces. */
    StoreLimits limits();

    /** Closes the store; in-flight appends either complete durably or fail. */
    @Override
    void close();
}
