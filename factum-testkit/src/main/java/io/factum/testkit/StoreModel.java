package io.factum.testkit;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.api.SubscriptionListener;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * The event-store contract as a small model for property tests: one list of records, and every
 * other fact (a stream's events, its version, its metadata, whether it is tombstoned) computed by
 * scanning that list. It is slow on purpose and short enough to check by reading; {@link
 * EventStoreModelProperties} runs random operations against it and a real backend and compares.
 *
 * <p>It implements {@link EventStore} so that one operation can run on both alike, but it is not a
 * backend: it has no subscriptions, and it is single-threaded (not thread-safe).
 */
public final class StoreModel implements EventStore {

    /** Marks the result of an empty batch until its position is known. */
    private static final long EMPTY = Long.MIN_VALUE;

    private final Clock clock;
    private final StoreLimits limits;
    private final List<RecordedEvent> log = new ArrayList<>();
    /** The decoded metadata of each {@code $metadata} record, by position. */
    private final Map<Long, StreamMetadata> metadataAt = new HashMap<>();

    public StoreModel(Clock clock, StoreLimits limits) {
        this.clock = clock;
        this.limits = limits;
    }

    // ---- facts derived from the log ----

    /** The stream's events (not its tombstone), visible or not. */
    private List<RecordedEvent> eventsOf(String stream) {
        return log.stream()
                .filter(r -> r.stream().equals(stream) && !r.isTombstone())
                .toList();
    }

    /** The stream's last version, visible or not; -1 when it has no events. */
    public long lastVersion(String stream) {
        return eventsOf(stream).size() - 1L;
    }

    private boolean isTombstoned(String stream) {
        return log.stream().anyMatch(r -> r.stream().equals(stream) && r.isTombstone());
    }

    private StreamMetadata metadataOf(String stream) {
        if (SystemNames.isMetastream(stream)) {
            return StreamMetadata.empty();
        }
        List<RecordedEvent> meta = eventsOf(SystemNames.metastreamOf(stream));
        return meta.isEmpty()
                ? StreamMetadata.empty()
                : metadataAt.get(meta.getLast().position());
    }

    private boolean isVisible(RecordedEvent e, Instant now) {
        if (SystemNames.isMetastream(e.stream())) {
            return e.version() == lastVersion(e.stream()); // the implicit $maxCount of 1
        }
        StreamMetadata md = metadataOf(e.stream());
        long last = lastVersion(e.stream());
        boolean truncated = md.truncateBefore().isPresent()
                && e.version() < md.truncateBefore().getAsLong();
        boolean tooMany =
                md.maxCount().isPresent() && last - e.version() >= md.maxCount().getAsLong();
        boolean tooOld =
                md.maxAge().isPresent() && e.created().plus(md.maxAge().get()).isBefore(now);
        return !truncated && !tooMany && !tooOld;
    }

    // ---- writes ----

    @Override
    public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
        checkWrite(stream, events);
        return appendMulti(List.of(new StreamAppend(stream, expected, events)), Optional.empty())
                .getFirst();
    }

    /**
     * The stream expectations first, then the condition against the log before this append; an
     * append that writes nothing because it retried a stored one skips the condition.
     */
    @Override
    public List<AppendResult> appendMulti(List<StreamAppend> appends, Optional<AppendCondition> condition) {
        condition.ifPresent(c -> limits.checkQuery("condition.failIfEventsMatch", c.failIfEventsMatch()));
        if (appends.isEmpty()) {
            throw new InvalidInputException("appends", "[]", "needs at least one stream");
        }
        appends.forEach(part -> checkWrite(part.stream(), part.events()));
        if (appends.stream().map(StreamAppend::stream).distinct().count() < appends.size()) {
            throw new InvalidInputException("stream", "", "appears more than once in one append");
        }
        List<EventData> all = appends.stream().flatMap(p -> p.events().stream()).toList();
        if (all.size() > limits.maxEventsPerAppend()
                || all.stream().mapToLong(EventData::sizeBytes).sum() > limits.maxAppendBytes()) {
            throw new InvalidInputException("events", all.size(), "over the append limits");
        }
        // Decide every part before writing any, so that a failing part leaves the log unchanged.
        List<AppendResult> known = appends.stream()
                .map(p -> check(p.stream(), p.expected(), p.events()))
                .toList();
        boolean writes = known.contains(null);
        boolean retried = IntStream.range(0, appends.size())
                .anyMatch(i -> known.get(i) != null && !appends.get(i).events().isEmpty());
        if (condition.isPresent() && (writes || !retried)) {
            AppendCondition c = condition.get();
            log.stream()
                    .filter(r -> r.position() > c.afterPosition()
                            && c.failIfEventsMatch().matches(r))
                    .findFirst()
                    .ifPresent(r -> {
                        throw new AppendConditionFailedException(c, r.position());
                    });
        }
        List<AppendResult> results = new ArrayList<>();
        for (int i = 0; i < appends.size(); i++) {
            StreamAppend part = appends.get(i);
            AppendResult result = known.get(i);
            if (result == null) {
                result = write(part.stream(), part.events());
            } else if (result.position() == EMPTY) {
                // An empty part reports the head as it stands when the part is reached.
                result = new AppendResult(result.streamVersion(), headPosition(), false);
            }
            results.add(result);
        }
        return results;
    }

    /**
     * KurrentDB's expected-version and idempotency rules. Returns the result when nothing is to be
     * written (for an empty batch with position {@link #EMPTY}), {@code null} when the events are to
     * be written, or throws.
     */
    private AppendResult check(String stream, ExpectedVersion expected, List<EventData> batch) {
        for (String s : SystemNames.isMetastream(stream)
                ? List.of(stream, SystemNames.originalStreamOf(stream))
                : List.of(stream)) {
            if (isTombstoned(s)) {
                throw new StreamDeletedException(s);
            }
        }
        List<RecordedEvent> events = eventsOf(stream);
        long last = events.size() - 1L;
        boolean softDeleted = metadataOf(stream).isSoftDeleted();
        WrongExpectedVersionException conflict = new WrongExpectedVersionException(stream, expected, last);
        long retryBase =
                switch (expected) {
                    case ExpectedVersion.Any a -> anyRetryBase(events, batch);
                    case ExpectedVersion.StreamExists s -> {
                        if (last < 0 || softDeleted) {
                            throw conflict;
                        }
                        yield anyRetryBase(events, batch);
                    }
                    case ExpectedVersion.NoStream n -> last < 0 || softDeleted ? Long.MIN_VALUE : -1;
                    case ExpectedVersion.Exact x -> x.version() == last ? Long.MIN_VALUE : x.version();
                };
        if (retryBase == Long.MIN_VALUE) {
            return batch.isEmpty() ? new AppendResult(last, EMPTY, false) : null;
        }
        if (batch.isEmpty() || retryBase >= last || retryBase + batch.size() > last) {
            throw conflict;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (!events.get((int) (retryBase + 1 + i))
                    .eventId()
                    .equals(batch.get(i).eventId())) {
                throw conflict;
            }
        }
        RecordedEvent lastOfBatch = events.get((int) retryBase + batch.size());
        return new AppendResult(lastOfBatch.version(), lastOfBatch.position(), false);
    }

    /** With {@code any}: the version before the newest event carrying the batch's first id, if any. */
    private static long anyRetryBase(List<RecordedEvent> events, List<EventData> batch) {
        if (batch.isEmpty()) {
            return Long.MIN_VALUE;
        }
        UUID first = batch.getFirst().eventId();
        return IntStream.range(0, events.size())
                .filter(v -> events.get(v).eventId().equals(first))
                .mapToLong(v -> v - 1L)
                .max()
                .orElse(Long.MIN_VALUE);
    }

    private AppendResult write(String stream, List<EventData> batch) {
        long last = lastVersion(stream);
        if (metadataOf(stream).isSoftDeleted()) {
            writeMetadata(stream, metadataOf(stream).withTruncateBefore(last + 1));
        }
        for (EventData e : batch) {
            if (SystemNames.isMetastream(stream)) {
                metadataAt.put((long) log.size(), StreamMetadataCodec.decode(e.data()));
            }
            log.add(new RecordedEvent(
                    stream,
                    ++last,
                    log.size(),
                    e.eventId(),
                    e.type(),
                    e.data(),
                    e.metadata(),
                    e.contentType(),
                    stamp(),
                    e.tags()));
        }
        return new AppendResult(last, headPosition(), true);
    }

    private AppendResult writeMetadata(String stream, StreamMetadata md) {
        byte[] data = StreamMetadataCodec.encode(md);
        String metastream = SystemNames.metastreamOf(stream);
        RecordedEvent record = new RecordedEvent(
                metastream,
                lastVersion(metastream) + 1,
                log.size(),
                UUID.randomUUID(),
                SystemNames.METADATA_TYPE,
                data,
                new byte[0],
                ContentType.JSON,
                stamp());
        log.add(record);
        metadataAt.put(record.position(), StreamMetadataCodec.decode(data));
        return new AppendResult(record.version(), record.position(), true);
    }

    @Override
    public AppendResult setStreamMetadata(String stream, ExpectedVersion expected, StreamMetadata metadata) {
        checkOrdinary(stream);
        byte[] json = StreamMetadataCodec.encode(metadata);
        EventData event =
                new EventData(UUID.randomUUID(), SystemNames.METADATA_TYPE, json, new byte[0], ContentType.JSON);
        return append(SystemNames.metastreamOf(stream), expected, List.of(event));
    }

    @Override
    public DeleteResult delete(String stream, ExpectedVersion expected) {
        checkOrdinary(stream);
        check(stream, expected, List.of());
        return new DeleteResult(writeMetadata(stream, metadataOf(stream).withTruncateBefore(StreamMetadata.DELETED))
                .position());
    }

    @Override
    public DeleteResult tombstone(String stream, ExpectedVersion expected) {
        checkOrdinary(stream);
        check(stream, expected, List.of());
        log.add(new RecordedEvent(
                stream,
                RecordedEvent.TOMBSTONE_VERSION,
                log.size(),
                UUID.randomUUID(),
                SystemNames.STREAM_DELETED_TYPE,
                new byte[0],
                new byte[0],
                ContentType.BINARY,
                stamp()));
        return new DeleteResult(headPosition());
    }

    /** A metastream takes only {@code $metadata} events holding valid metadata. */
    private void checkWrite(String stream, List<EventData> events) {
        limits.checkAppend(stream, events);
        if (SystemNames.isMetastream(stream)) {
            for (EventData e : events) {
                if (!e.type().equals(SystemNames.METADATA_TYPE)) {
                    throw new InvalidInputException("eventType", e.type(), "not a metadata event");
                }
                StreamMetadataCodec.decode(e.data());
            }
        }
    }

    /** Metadata and deletes name the stream itself, never its metastream. */
    private void checkOrdinary(String stream) {
        limits.checkStreamName("stream", stream);
        if (SystemNames.isMetastream(stream)) {
            throw new InvalidInputException("stream", stream, "is a metastream");
        }
    }

    // ---- reads ----

    @Override
    public ReadStreamResult readStream(String stream, long fromVersion, Direction direction, int maxCount) {
        limits.checkStreamName("stream", stream);
        limits.checkReadCount(maxCount);
        if (fromVersion < 0) {
            throw new InvalidInputException("fromVersion", fromVersion, "must be >= 0");
        }
        if (isTombstoned(stream)) {
            throw new StreamDeletedException(stream);
        }
        List<RecordedEvent> events = eventsOf(stream);
        if (events.isEmpty() || metadataOf(stream).isSoftDeleted()) {
            return new ReadStreamResult.NotFound(stream);
        }
        Instant now = now();
        boolean forwards = direction == Direction.FORWARDS;
        List<RecordedEvent> candidates = events.stream()
                .filter(e -> isVisible(e, now))
                .filter(e -> forwards ? e.version() >= fromVersion : e.version() <= fromVersion)
                .sorted(
                        forwards
                                ? Comparator.comparingLong(RecordedEvent::version)
                                : Comparator.comparingLong(RecordedEvent::version)
                                        .reversed())
                .toList();
        return new ReadStreamResult.Found(
                candidates.stream().limit(maxCount).toList(), events.size() - 1L, candidates.size() <= maxCount);
    }

    @Override
    public ReadAllResult readAll(ReadAllOptions options) {
        limits.checkReadCount(options.maxCount());
        long from = options.fromPosition();
        boolean forwards = options.direction() == Direction.FORWARDS;
        List<RecordedEvent> matches = (forwards ? log : log.reversed())
                .stream()
                        .filter(r -> forwards ? r.position() >= from : r.position() <= from)
                        .filter(options.filter()::matches)
                        .toList();
        if (matches.size() < options.maxCount()) {
            return new ReadAllResult(matches, forwards ? Math.max(from, log.size()) : -1, true);
        }
        List<RecordedEvent> page = matches.subList(0, options.maxCount());
        long lastExamined = page.getLast().position();
        return forwards
                ? new ReadAllResult(page, lastExamined + 1, lastExamined == headPosition())
                : new ReadAllResult(page, lastExamined - 1, lastExamined == 0);
    }

    @Override
    public QueryReadResult readByQuery(Query query, long fromPosition, Direction direction, int maxCount) {
        limits.checkQuery("query", query);
        limits.checkReadCount(maxCount);
        if (fromPosition < 0) {
            throw new InvalidInputException("fromPosition", fromPosition, "must be >= 0");
        }
        boolean forwards = direction == Direction.FORWARDS;
        List<RecordedEvent> matches = (forwards ? log : log.reversed())
                .stream()
                        .filter(r -> forwards ? r.position() >= fromPosition : r.position() <= fromPosition)
                        .filter(query::matches)
                        .limit(maxCount)
                        .toList();
        return new QueryReadResult(matches, headPosition());
    }

    /** The position of the last event matching the query, -1 when none does. */
    public long lastMatch(Query query) {
        return log.stream()
                .filter(query::matches)
                .mapToLong(RecordedEvent::position)
                .max()
                .orElse(-1);
    }

    @Override
    public StreamMetadataResult getStreamMetadata(String stream) {
        checkOrdinary(stream);
        if (isTombstoned(stream)) {
            throw new StreamDeletedException(stream);
        }
        return new StreamMetadataResult(stream, lastVersion(SystemNames.metastreamOf(stream)), metadataOf(stream));
    }

    @Override
    public long headPosition() {
        return log.size() - 1L;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    /** A write's creation time: the clock, but never older than the previous write's. */
    private Instant stamp() {
        Instant now = now();
        if (!log.isEmpty() && now.isBefore(log.getLast().created())) {
            return log.getLast().created();
        }
        return now;
    }

    private Instant now() {
        return clock.instant();
    }

    /** Every stream name that has a record, for whole-store comparisons. */
    public List<String> streams() {
        return List.copyOf(new HashSet<>(log.stream().map(RecordedEvent::stream).toList()));
    }

    @Override
    public Subscription subscribeToStream(String stream, SubscribeFrom from, SubscriptionListener listener) {
        throw new UnsupportedOperationException("the model has no subscriptions");
    }

    @Override
    public Subscription subscribeToAll(SubscribeAllOptions options, SubscriptionListener listener) {
        throw new UnsupportedOperationException("the model has no subscriptions");
    }

    @Override
    public Subscription subscribeToQuery(Query query, SubscribeFrom from, SubscriptionListener listener) {
        throw new UnsupportedOperationException("the model has no subscriptions");
    }

    @Override
    public void close() {}
}
