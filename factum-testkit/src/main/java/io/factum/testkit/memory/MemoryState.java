package io.factum.testkit.memory;

import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The whole content of an {@link InMemoryEventStore}: the global log and, per stream, the positions
 * of its versions. Every read and write decision of the store is made here.
 *
 * <p>Invariants: {@code log.get(p).position() == p}; for every stream, {@code
 * positions.get(v)} is the position of its version {@code v} (versions are dense from 0); a
 * tombstoned stream has a tombstone record in the log and accepts nothing any more; the current
 * metadata of a stream is the one of the last {@code $metadata} record of its metastream; every
 * record of the log is in the {@link MemoryTagIndex} under its type and each of its tags.
 *
 * <p>Not thread-safe: the store calls it only while holding its lock.
 */
final class MemoryState {

    /** One stream: where its versions are in the log, and which ids it holds (for idempotency). */
    private static final class StreamState {
        final List<Long> positions = new ArrayList<>();
        final Map<UUID, Long> lastVersionById = new HashMap<>();
        boolean tombstoned;

        long lastVersion() {
            return positions.size() - 1L;
        }
    }

    /** What an append to one stream will do once every part of the call was checked. */
    sealed interface Decision {
        /** Write the events; {@code undelete} when the stream is soft-deleted and gets new events. */
        record Write(boolean undelete) implements Decision {}

        /** Nothing to write: an idempotent retry; the result is the earlier append's. */
        record Done(AppendResult result) implements Decision {}

        /**
         * Nothing to write: an empty batch whose expectation holds. Its position is the head when
         * the part is reached, so in a multi-stream append it follows the parts written before it.
         */
        record Empty(long streamVersion) implements Decision {}
    }

    private final List<RecordedEvent> log = new ArrayList<>();
    private final Map<String, StreamState> streams = new HashMap<>();
    private final Map<String, StreamMetadata> metadata = new HashMap<>();
    private final MemoryTagIndex tagIndex = new MemoryTagIndex();

    long headPosition() {
        return log.size() - 1L;
    }

    private void add(RecordedEvent record) {
        log.add(record);
        tagIndex.add(record);
    }

    /**
     * Up to {@code maxCount} records matching the query from {@code from} (inclusive) in the
     * direction, never beyond the head; the caller copies before handing them out.
     */
    List<RecordedEvent> matching(Query query, long from, Direction direction, int maxCount) {
        List<RecordedEvent> out = new ArrayList<>();
        long start = direction == Direction.FORWARDS ? from : Math.min(from, headPosition());
        tagIndex.candidates(query, start, direction, p -> {
            RecordedEvent record = recordAt(p);
            if (query.matches(record)) {
                out.add(record);
            }
            return out.size() < maxCount;
        });
        return out;
    }

    /** The position of the first record matching the query after {@code after}, if any. */
    OptionalLong firstMatchAfter(Query query, long after) {
        List<RecordedEvent> first = matching(query, after + 1, Direction.FORWARDS, 1);
        return first.isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(first.getFirst().position());
    }

    /** Records in positions {@code [from, to)}; the caller copies before handing them out. */
    List<RecordedEvent> logSlice(long from, long to) {
        return log.subList((int) from, (int) to);
    }

    RecordedEvent recordAt(long position) {
        return log.get((int) position);
    }

    boolean isTombstoned(String stream) {
        StreamState s = streams.get(stream);
        return s != null && s.tombstoned;
    }

    void requireNotTombstoned(String stream) {
        if (isTombstoned(stream)) {
            throw new StreamDeletedException(stream);
        }
    }

    long lastVersion(String stream) {
        StreamState s = streams.get(stream);
        return s == null ? ExpectedVersion.NO_STREAM_VERSION : s.lastVersion();
    }

    /** The stream's current metadata; a metastream has none of its own (KurrentDB's rule). */
    StreamMetadata metadataOf(String stream) {
        if (SystemNames.isMetastream(stream)) {
            return StreamMetadata.empty();
        }
        return metadata.getOrDefault(stream, StreamMetadata.empty());
    }

    long metastreamVersion(String stream) {
        return lastVersion(SystemNames.metastreamOf(stream));
    }

    RecordedEvent eventAt(String stream, long version) {
        return recordAt(streams.get(stream).positions.get((int) version));
    }

    /**
     * The lowest version that {@code truncateBefore} and {@code maxCount} leave visible; it may lie
     * beyond the stream's last version. Reads start there instead of scanning hidden events.
     */
    long firstCandidateVersion(String stream) {
        if (SystemNames.isMetastream(stream)) {
            return 0;
        }
        StreamMetadata md = metadataOf(stream);
        long first = md.truncateBefore().orElse(0);
        if (md.maxCount().isPresent()) {
            first = Math.max(first, lastVersion(stream) - md.maxCount().getAsLong() + 1);
        }
        return first;
    }

    /**
     * Whether a stream's event is visible under the stream's current metadata at {@code now}: not
     * below {@code truncateBefore}, among the newest {@code maxCount}, not older than {@code maxAge}.
     */
    boolean isVisible(String stream, RecordedEvent event, Instant now) {
        if (SystemNames.isMetastream(stream)) {
            return event.version() == lastVersion(stream); // the implicit $maxCount of 1
        }
        StreamMetadata md = metadataOf(stream);
        long version = event.version();
        if (md.truncateBefore().isPresent() && version < md.truncateBefore().getAsLong()) {
            return false;
        }
        if (md.maxCount().isPresent()
                && version <= lastVersion(stream) - md.maxCount().getAsLong()) {
            return false;
        }
        return md.maxAge().isEmpty()
                || Duration.between(event.created(), now).compareTo(md.maxAge().get()) <= 0;
    }

    /**
     * Checks an append's expectation and idempotency, KurrentDB's rules: throws when the append must
     * fail, otherwise says whether to write.
     */
    Decision decide(String stream, ExpectedVersion expected, List<EventData> events) {
        requireNotTombstoned(stream);
        if (SystemNames.isMetastream(stream)) {
            requireNotTombstoned(SystemNames.originalStreamOf(stream));
        }
        long last = lastVersion(stream);
        boolean softDeleted = metadataOf(stream).isSoftDeleted();
        Optional<AppendResult> done =
                switch (expected) {
                    case ExpectedVersion.Any any -> anyRetry(stream, expected, events);
                    case ExpectedVersion.StreamExists exists -> {
                        if (last < 0 || softDeleted) {
                            throw new WrongExpectedVersionException(stream, expected, last);
                        }
                        yield anyRetry(stream, expected, events);
                    }
                    case ExpectedVersion.NoStream none ->
                        last < 0 || softDeleted ? Optional.empty() : exactRetry(stream, expected, -1, events);
                    case ExpectedVersion.Exact exact -> {
                        if (exact.version() > last) {
                            throw new WrongExpectedVersionException(stream, expected, last);
                        }
                        yield exact.version() == last
                                ? Optional.empty()
                                : exactRetry(stream, expected, exact.version(), events);
                    }
                };
        if (done.isPresent()) {
            return new Decision.Done(done.get());
        }
        if (events.isEmpty()) {
            return new Decision.Empty(last);
        }
        return new Decision.Write(softDeleted);
    }

    /**
     * A retry with an exact expectation below the stream's version: succeeds without writing only
     * when every id of the batch is stored at the versions right after {@code expectedVersion}.
     */
    private Optional<AppendResult> exactRetry(
            String stream, ExpectedVersion expected, long expectedVersion, List<EventData> events) {
        long last = lastVersion(stream);
        if (events.isEmpty() || !idsStoredAt(stream, expectedVersion + 1, events)) {
            throw new WrongExpectedVersionException(stream, expected, last);
        }
        return Optional.of(retryResult(stream, expectedVersion + events.size()));
    }

    /**
     * A retry with {@code any} (or {@code streamExists}): when the batch's first id is stored in the
     * stream, the whole batch must follow it at consecutive versions (then nothing is written), or
     * the append fails; when it is not stored, the batch is new.
     */
    private Optional<AppendResult> anyRetry(String stream, ExpectedVersion expected, List<EventData> events) {
        StreamState s = streams.get(stream);
        if (events.isEmpty() || s == null) {
            return Optional.empty();
        }
        Long first = s.lastVersionById.get(events.getFirst().eventId());
        if (first == null) {
            return Optional.empty();
        }
        if (!idsStoredAt(stream, first, events)) {
            throw new WrongExpectedVersionException(stream, expected, s.lastVersion());
        }
        return Optional.of(retryResult(stream, first + events.size() - 1));
    }

    private boolean idsStoredAt(String stream, long fromVersion, List<EventData> events) {
        long last = lastVersion(stream);
        for (int i = 0; i < events.size(); i++) {
            long version = fromVersion + i;
            if (version > last
                    || !eventAt(stream, version).eventId().equals(events.get(i).eventId())) {
                return false;
            }
        }
        return true;
    }

    private AppendResult retryResult(String stream, long version) {
        return new AppendResult(version, eventAt(stream, version).position(), false);
    }

    /**
     * Writes a batch the caller decided to write. An append to a soft-deleted stream first rewrites
     * its metadata with {@code truncateBefore} at the first new version, as KurrentDB does, so that
     * the old events stay hidden and the new ones are visible.
     */
    AppendResult write(String stream, Decision.Write decision, List<EventData> events, Instant now) {
        long last = lastVersion(stream);
        if (decision.undelete()) {
            writeMetadata(stream, metadataOf(stream).withTruncateBefore(last + 1), now);
        }
        StreamState s = streams.computeIfAbsent(stream, name -> new StreamState());
        for (EventData e : events) {
            long version = s.lastVersion() + 1;
            RecordedEvent recorded = new RecordedEvent(
                    stream,
                    version,
                    log.size(),
                    e.eventId(),
                    e.type(),
                    e.data().clone(),
                    e.metadata().clone(),
                    e.contentType(),
                    now,
                    e.tags());
            add(recorded);
            s.positions.add(recorded.position());
            s.lastVersionById.put(e.eventId(), version);
            if (SystemNames.isMetastream(stream)) {
                metadata.put(SystemNames.originalStreamOf(stream), StreamMetadataCodec.decode(recorded.data()));
            }
        }
        return new AppendResult(s.lastVersion(), headPosition(), true);
    }

    /**
     * Appends a {@code $metadata} record to the stream's metastream; returns its version and
     * position. The metadata kept is the decoded form of the bytes written, the form every backend
     * that decodes its log returns (custom JSON compact, for instance).
     *
     * @throws io.factum.api.InvalidInputException when the metadata cannot be encoded; the caller
     *     encodes before it changes anything, so this only repeats that check
     */
    AppendResult writeMetadata(String stream, StreamMetadata newMetadata, Instant now) {
        byte[] data = StreamMetadataCodec.encode(newMetadata);
        String metastream = SystemNames.metastreamOf(stream);
        StreamState meta = streams.computeIfAbsent(metastream, name -> new StreamState());
        RecordedEvent recorded = new RecordedEvent(
                metastream,
                meta.lastVersion() + 1,
                log.size(),
                UUID.randomUUID(),
                SystemNames.METADATA_TYPE,
                data,
                new byte[0],
                ContentType.JSON,
                now);
        add(recorded);
        meta.positions.add(recorded.position());
        metadata.put(stream, StreamMetadataCodec.decode(data));
        return new AppendResult(recorded.version(), recorded.position(), true);
    }

    /** Appends the stream's tombstone record; returns its position. */
    long writeTombstone(String stream, Instant now) {
        StreamState s = streams.computeIfAbsent(stream, name -> new StreamState());
        RecordedEvent recorded = new RecordedEvent(
                stream,
                RecordedEvent.TOMBSTONE_VERSION,
                log.size(),
                UUID.randomUUID(),
                SystemNames.STREAM_DELETED_TYPE,
                new byte[0],
                new byte[0],
                ContentType.BINARY,
                now);
        add(recorded);
        s.tombstoned = true;
        return recorded.position();
    }
}
