package io.factum.engine.internal.store;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import io.factum.engine.WriteCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Decides what a command writes: checks expectations (with KurrentDB's idempotency rules) and the
 * append condition (dynamic consistency boundaries), assigns versions and positions, and adds the
 * records a command implies (the metadata that undeletes a soft-deleted stream). It is a function of the state view, the command, the first free position
 * and the time: it does no IO of its own beyond the view, so every replica deciding the same
 * command sequence writes the same log.
 *
 * <p>Not thread-safe: used from the writer thread.
 */
final class AppendDecider {
    private final IdempotencyCache recentIds;

    /**
     * 0 on a single node: any retry the cache still remembers is recognised. On a replica, the
     * number of newest positions in which a retry with {@code any} is recognised, and no further:
     * what the cache holds beyond them depends on when the process started, and replicas must all
     * decide alike (see {@link #remember}).
     */
    private final long replicaWindow;

    AppendDecider(IdempotencyCache recentIds, long replicaWindow) {
        this.recentIds = recentIds;
        this.replicaWindow = replicaWindow;
    }

    /**
     * @param view committed state with the group's earlier pending writes over it; not changed here
     * @param firstPosition the position the first written record gets
     */
    Decision decide(WriteCommand command, StateView view, long firstPosition, Instant now) {
        return switch (command) {
            case WriteCommand.Append append -> decideAppend(append, view, firstPosition, now);
            case WriteCommand.SoftDelete delete -> decideSoftDelete(delete, view, firstPosition, now);
            case WriteCommand.Tombstone tombstone -> decideTombstone(tombstone, view, firstPosition, now);
        };
    }

    private Decision decideAppend(WriteCommand.Append append, StateView view, long firstPosition, Instant now) {
        PendingView scratch = new PendingView(view);
        List<RecordedEvent> records = new ArrayList<>();
        List<AppendResult> results = new ArrayList<>(append.parts().size());
        long position = firstPosition;
        boolean retried = false;
        for (StreamAppend part : append.parts()) {
            // One look-up of the stream's version and metadata for both the check and the write:
            // each is an index probe, and this runs on the writer thread for every append.
            StreamState state = StreamState.of(part.stream(), scratch);
            Optional<AppendResult> settled = checkExpectation(
                    part.stream(), part.expected(), part.events(), scratch, state, recentFloor(firstPosition));
            if (settled.isPresent()) {
                retried |= !part.events().isEmpty();
                results.add(settled.get());
                continue;
            }
            List<RecordedEvent> written = newEvents(part, state, position, now);
            scratch.addAll(written);
            records.addAll(written);
            position += written.size();
            RecordedEvent lastUserEvent = written.get(written.size() - 1);
            results.add(new AppendResult(lastUserEvent.version(), lastUserEvent.position(), true));
        }
        if (records.isEmpty() && retried) {
            // A retry of an append that was stored: its own events now match its condition, and
            // the answer must be the one the first attempt got, as for stream appends.
            return new Decision.NoWrite(results);
        }
        if (append.condition().isPresent()) {
            checkCondition(append.condition().get(), view);
        }
        return records.isEmpty() ? new Decision.NoWrite(results) : new Decision.Write(records, results);
    }

    /**
     * Checks the condition against the view the command was decided on: the committed state plus
     * the group's earlier decisions, so two conflicting appends in one group cannot both succeed.
     */
    private static void checkCondition(AppendCondition condition, StateView view) {
        OptionalLong conflict = view.firstMatchAfter(condition.failIfEventsMatch(), condition.afterPosition());
        if (conflict.isPresent()) {
            throw new AppendConditionFailedException(condition, conflict.getAsLong());
        }
    }

    /**
     * The part's events with versions and positions, preceded, when the stream was soft-deleted, by
     * the metadata event that makes its new events visible again ({@code $tb} = first new version),
     * as KurrentDB does.
     */
    private List<RecordedEvent> newEvents(StreamAppend part, StreamState state, long position, Instant now) {
        String stream = part.stream();
        long version = Math.max(state.current(), -1) + 1;
        List<RecordedEvent> out = new ArrayList<>(part.events().size() + 1);
        if (state.metadata() != null) {
            StreamMetadataResult meta = state.metadata();
            if (meta.metadata().isSoftDeleted()) {
                // The metadata that makes the new events visible precedes them, so a reader of $all
                // never meets events of a stream that, at their position, still reads as deleted.
                out.add(metadataRecord(
                        stream,
                        meta.metastreamVersion() + 1,
                        position++,
                        meta.metadata().withTruncateBefore(version),
                        now));
            }
        }
        for (EventData e : part.events()) {
            out.add(new RecordedEvent(
                    stream,
                    version++,
                    position++,
                    e.eventId(),
                    e.type(),
                    e.data(),
                    e.metadata(),
                    e.contentType(),
                    now,
                    e.tags()));
        }
        return out;
    }

    private Decision decideSoftDelete(WriteCommand.SoftDelete delete, StateView view, long position, Instant now) {
        String stream = delete.stream();
        StreamState state = StreamState.of(stream, view);
        checkExpectation(stream, delete.expected(), List.of(), view, state, Long.MIN_VALUE);
        StreamMetadataResult meta = view.metadata(stream);
        RecordedEvent record = metadataRecord(
                stream,
                meta.metastreamVersion() + 1,
                position,
                meta.metadata().withTruncateBefore(StreamMetadata.DELETED),
                now);
        return new Decision.Write(List.of(record), List.of(new AppendResult(record.version(), position, true)));
    }

    private Decision decideTombstone(WriteCommand.Tombstone tombstone, StateView view, long position, Instant now) {
        String stream = tombstone.stream();
        checkExpectation(stream, tombstone.expected(), List.of(), view, StreamState.of(stream, view), Long.MIN_VALUE);
        RecordedEvent record = new RecordedEvent(
                stream,
                RecordedEvent.TOMBSTONE_VERSION,
                position,
                systemEventId("tombstone", stream, position),
                SystemNames.STREAM_DELETED_TYPE,
                new byte[0],
                new byte[0],
                io.factum.api.ContentType.BINARY,
                now);
        return new Decision.Write(
                List.of(record), List.of(new AppendResult(RecordedEvent.TOMBSTONE_VERSION, position, true)));
    }

    /**
     * Checks the expectation. Returns a settled result when nothing is to be written (an idempotent
     * retry or an empty append), empty when the events are to be written, and throws on conflict.
     */
    private Optional<AppendResult> checkExpectation(
            String stream,
            ExpectedVersion expected,
            List<EventData> events,
            StateView view,
            StreamState state,
            long recentFloor) {
        long current = state.current();
        if (current == RecordedEvent.TOMBSTONE_VERSION) {
            throw new StreamDeletedException(stream);
        }
        if (SystemNames.isMetastream(stream)
                && view.lastVersion(SystemNames.originalStreamOf(stream)) == RecordedEvent.TOMBSTONE_VERSION) {
            throw new StreamDeletedException(SystemNames.originalStreamOf(stream));
        }
        boolean exists = current >= 0 && !state.softDeleted();
        boolean holds =
                switch (expected) {
                    case ExpectedVersion.Any a -> true;
                    case ExpectedVersion.NoStream n -> !exists;
                    case ExpectedVersion.StreamExists s -> exists;
                    case ExpectedVersion.Exact e -> e.version() == current;
                };
        if (holds) {
            Optional<AppendResult> retried = retryOfRecentAppend(stream, expected, events, view, recentFloor);
            if (retried.isPresent()) {
                return retried;
            }
            return events.isEmpty()
                    ? Optional.of(new AppendResult(current, view.headPosition(), false))
                    : Optional.empty();
        }
        long retryFrom =
                switch (expected) {
                    case ExpectedVersion.NoStream n -> 0;
                    case ExpectedVersion.Exact e -> e.version() + 1;
                    default -> -1;
                };
        if (retryFrom >= 0 && retryFrom <= current && !events.isEmpty()) {
            Optional<AppendResult> same = sameEventsAt(stream, retryFrom, events, view);
            if (same.isPresent()) {
                return same;
            }
        }
        throw new WrongExpectedVersionException(stream, expected, current);
    }

    /**
     * With {@code any} or {@code streamExists} there is no place named to compare with, so recent ids
     * answer: when the batch's first id was written to this stream recently, the batch is a retry if
     * all of its ids sit at consecutive versions there, and a conflict if only some do.
     */
    private Optional<AppendResult> retryOfRecentAppend(
            String stream, ExpectedVersion expected, List<EventData> events, StateView view, long recentFloor) {
        if (events.isEmpty()
                || !(expected instanceof ExpectedVersion.Any || expected instanceof ExpectedVersion.StreamExists)) {
            return Optional.empty();
        }
        long firstVersion = recentIds.versionOf(events.get(0).eventId(), stream);
        if (firstVersion < 0) {
            return Optional.empty();
        }
        if (recentFloor != Long.MIN_VALUE
                && view.eventAt(stream, firstVersion)
                        .map(stored -> stored.position() < recentFloor)
                        .orElse(true)) {
            return Optional.empty();
        }
        Optional<AppendResult> same = sameEventsAt(stream, firstVersion, events, view);
        if (same.isEmpty()) {
            throw new WrongExpectedVersionException(stream, expected, view.lastVersion(stream));
        }
        return same;
    }

    /** The result of the earlier append when every event id sits at {@code from, from+1, ...}. */
    private static Optional<AppendResult> sameEventsAt(
            String stream, long from, List<EventData> events, StateView view) {
        long position = -1;
        for (int i = 0; i < events.size(); i++) {
            Optional<StateView.EventRef> stored = view.eventAt(stream, from + i);
            if (stored.isEmpty() || !stored.get().eventId().equals(events.get(i).eventId())) {
                return Optional.empty();
            }
            position = stored.get().position();
        }
        return Optional.of(new AppendResult(from + events.size() - 1, position, false));
    }

    /**
     * A stream's last version and, for a stream that is not a metastream, its metadata, as the
     * view shows them before the part is decided.
     *
     * @param metadata null for a metastream (metadata is never about a metastream)
     */
    private record StreamState(long current, @Nullable StreamMetadataResult metadata) {
        static StreamState of(String stream, StateView view) {
            long current = view.lastVersion(stream);
            return new StreamState(current, SystemNames.isMetastream(stream) ? null : view.metadata(stream));
        }

        boolean softDeleted() {
            return metadata != null && metadata.metadata().isSoftDeleted();
        }
    }

    private static RecordedEvent metadataRecord(
            String stream, long version, long position, StreamMetadata metadata, Instant now) {
        return new RecordedEvent(
                SystemNames.metastreamOf(stream),
                version,
                position,
                systemEventId("metadata", stream, position),
                SystemNames.METADATA_TYPE,
                StreamMetadataCodec.encode(metadata),
                new byte[0],
                io.factum.api.ContentType.JSON,
                now);
    }

    /**
     * Ids of records the store writes on its own are derived from what they are and where, never
     * random, so that replicas deciding the same commands write identical bytes.
     */
    private static UUID systemEventId(String kind, String stream, long position) {
        return UUID.nameUUIDFromBytes(
                (kind + "\n" + stream + "\n" + position).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Where retries with {@code any} are recognised from, for a command written at firstPosition. */
    private long recentFloor(long firstPosition) {
        return replicaWindow == 0 ? Long.MIN_VALUE : firstPosition - replicaWindow;
    }

    /**
     * Remembers the first record of every run of one stream's records after a commit: a retry with
     * {@code any} is recognised by its first event id and then checked id by id against the log, so
     * one entry per appended batch is enough (and a 1,000-event batch costs one entry, not 1,000).
     *
     * <p>A replica remembers every record instead: which records begin a batch is not written in
     * the log, and a replica that restarted must rebuild, from the log alone, the same memory of
     * its newest {@code replicaWindow} positions as a replica that never stopped.
     */
    void remember(List<RecordedEvent> committed) {
        if (replicaWindow > 0) {
            for (RecordedEvent r : committed) {
                recentIds.remember(r.eventId(), r.stream(), r.version());
            }
            return;
        }
        String previous = null;
        for (RecordedEvent r : committed) {
            if (!r.stream().equals(previous)) {
                recentIds.remember(r.eventId(), r.stream(), r.version());
                previous = r.stream();
            }
        }
    }
}
