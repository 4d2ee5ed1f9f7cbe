package io.factum.testkit;

import io.factum.api.AppendCondition;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.AppendResult;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.FactumException;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.SystemNames;
import io.factum.api.WrongExpectedVersionException;
import io.factum.testkit.ModelOps.Op;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.statistics.Statistics;

/**
 * One run of {@link EventStoreModelProperties}: resolves each symbolic operation against the model,
 * runs it on the model and on the store, and compares the answers. It keeps a readable history, and
 * a mismatch fails with it.
 *
 * <p>Not thread-safe; one per try.
 */
final class ModelRun {

    /** A batch that was written, kept so that later operations can send it again. */
    private record Sent(String stream, ExpectedVersion expected, List<EventData> events) {}

    /** A conditional append that succeeded, kept so that it can be retried unchanged. */
    private record SentConditional(List<StreamAppend> parts, AppendCondition condition) {}

    /** An answer reduced to what must be equal on every backend. */
    private sealed interface Answer {
        record Value(Object value) implements Answer {}

        record Failure(String type, String detail) implements Answer {}
    }

    /** An event as compared: the store makes up ids and payloads of its own records, so those are left out. */
    private record EventView(
            String stream,
            long version,
            long position,
            Optional<UUID> eventId,
            String type,
            Optional<String> data,
            Optional<String> metadata,
            Optional<ContentType> contentType,
            Instant created,
            List<String> tags) {

        /**
         * Ids and payloads of user events must round-trip; a metadata event's data must be the
         * codec's bytes, the same on every backend; a tombstone's id and payload are the store's own.
         */
        static EventView of(RecordedEvent e) {
            boolean storeMade = e.isTombstone() || SystemNames.isMetastream(e.stream());
            boolean sameData = !e.isTombstone();
            return new EventView(
                    e.stream(),
                    e.version(),
                    e.position(),
                    storeMade ? Optional.empty() : Optional.of(e.eventId()),
                    e.type(),
                    sameData ? Optional.of(HexFormat.of().formatHex(e.data())) : Optional.empty(),
                    storeMade ? Optional.empty() : Optional.of(HexFormat.of().formatHex(e.metadata())),
                    storeMade ? Optional.empty() : Optional.of(e.contentType()),
                    e.created(),
                    e.tags());
        }

        @Override
        public String toString() {
            String v = version == RecordedEvent.TOMBSTONE_VERSION ? "tombstone" : Long.toString(version);
            return stream + "@" + v + " #" + position + " " + type
                    + eventId.map(id -> " id " + id.getLeastSignificantBits()).orElse("")
                    + (tags.isEmpty() ? "" : " " + tags) + " at " + created;
        }
    }

    private record StreamView(List<EventView> events, long lastStreamVersion, boolean endOfStream) {
        @Override
        public String toString() {
            return "Found(last " + lastStreamVersion + (endOfStream ? ", end" : "") + ", " + events + ")";
        }
    }

    private record AllView(List<EventView> events, long nextPosition, boolean endOfAll) {
        @Override
        public String toString() {
            return "All(next " + nextPosition + (endOfAll ? ", end" : "") + ", " + events + ")";
        }
    }

    private record QueryView(List<EventView> events, long headPosition) {
        @Override
        public String toString() {
            return "Matches(head " + headPosition + ", " + events + ")";
        }
    }

    private final EventStore store;
    private final StoreModel model;
    private final ManualClock clock;
    private final List<Sent> sent = new ArrayList<>();
    private final List<SentConditional> sentConditional = new ArrayList<>();
    private final List<String> history = new ArrayList<>();
    private long nextEventNumber = 1;
    /** The operation being run, until its answer was counted in the statistics. */
    private Op current;

    ModelRun(EventStore store, StoreModel model, ManualClock clock) {
        this.store = store;
        this.model = model;
        this.clock = clock;
    }

    void step(Op op) {
        current = op;
        switch (op) {
            case ModelOps.Append a ->
                append(op, ModelOps.nameOf(a.stream()), a.expect(), newEvents(a.count(), a.oversized(), a.tags()));
            case ModelOps.Retry r -> retry(r);
            case ModelOps.Multi m -> multi(m);
            case ModelOps.ReadStream r ->
                compare(
                        op,
                        s -> s.readStream(ModelOps.nameOf(r.stream()), r.fromVersion(), r.direction(), r.maxCount()));
            case ModelOps.ReadAll r -> compare(op, s -> s.readAll(r.options()));
            case ModelOps.ConditionalAppend c -> conditionalAppend(c);
            case ModelOps.RetryConditional r -> retryConditional(r);
            case ModelOps.ReadQuery r ->
                compare(op, s -> s.readByQuery(r.query().query, r.fromPosition(), r.direction(), r.maxCount()));
            case ModelOps.SetMetadata m -> setMetadata(m);
            case ModelOps.GetMetadata g -> compare(op, s -> s.getStreamMetadata(ModelOps.nameOf(g.stream())));
            case ModelOps.Delete d -> {
                String stream = ModelOps.nameOf(d.stream());
                ExpectedVersion expected = d.expect().resolve(model.lastVersion(stream));
                compare(op + " as " + expected, s -> s.delete(stream, expected));
            }
            case ModelOps.Tombstone t -> {
                String stream = ModelOps.nameOf(t.stream());
                ExpectedVersion expected = t.expect().resolve(model.lastVersion(stream));
                compare(op + " as " + expected, s -> s.tombstone(stream, expected));
            }
            case ModelOps.Advance a -> {
                clock.advance(Duration.ofSeconds(a.seconds()));
                history.add(op + " -> " + clock.instant());
                current = null;
            }
        }
        compare(HEAD, EventStore::headPosition);
    }

    private void append(Object what, String stream, ModelOps.Expect expect, List<EventData> events) {
        ExpectedVersion expected = expect.resolve(model.lastVersion(stream));
        append(what + " as " + expected, stream, expected, events);
    }

    private void append(String what, String stream, ExpectedVersion expected, List<EventData> events) {
        Answer answer = compare(what + " ids " + numbers(events), s -> s.append(stream, expected, events));
        if (answer instanceof Answer.Value v && v.value() instanceof AppendResult r && r.written()) {
            sent.add(new Sent(stream, expected, events));
        }
    }

    private void retry(ModelOps.Retry r) {
        if (sent.isEmpty()) {
            history.add(r + " -> nothing sent yet");
            current = null;
            return;
        }
        Sent earlier = sent.get(r.batch() % sent.size());
        List<EventData> events =
                switch (r.variant()) {
                    case SAME -> earlier.events();
                    case PREFIX -> earlier.events().subList(0, 1);
                    case CHANGED_TAIL ->
                        List.of(
                                earlier.events().getFirst(),
                                newEvents(1, false, ModelOps.Tags.NONE).getFirst());
                };
        ExpectedVersion expected = r.expect()
                .map(e -> e.resolve(model.lastVersion(earlier.stream())))
                .orElse(earlier.expected());
        append(r + " to " + earlier.stream() + " as " + expected, earlier.stream(), expected, events);
    }

    private void multi(ModelOps.Multi m) {
        List<StreamAppend> parts = resolve(m.parts());
        compare(m + " as " + describe(parts), s -> s.appendMulti(parts));
    }

    private List<StreamAppend> resolve(List<ModelOps.Part> parts) {
        return parts.stream()
                .map(p -> {
                    String stream = ModelOps.nameOf(p.stream());
                    return new StreamAppend(
                            stream,
                            p.expect().resolve(model.lastVersion(stream)),
                            newEvents(p.count(), false, p.tags()));
                })
                .toList();
    }

    private static String describe(List<StreamAppend> parts) {
        return parts.stream()
                .map(p -> p.stream() + ":" + p.expected() + " ids " + numbers(p.events()))
                .toList()
                .toString();
    }

    /** A conditional append whose position is resolved against the model, as a decider's read would be. */
    private void conditionalAppend(ModelOps.ConditionalAppend c) {
        List<StreamAppend> parts = resolve(c.parts());
        long head = model.headPosition();
        long after =
                switch (c.after()) {
                    case NONE -> -1;
                    case CURRENT -> head;
                    case STALE -> Math.max(-1, head - 2);
                    case LAST_MATCH -> model.lastMatch(c.query().query);
                };
        AppendCondition condition = new AppendCondition(c.query().query, after);
        Answer answer = compare(
                c + " as " + describe(parts) + " after " + after, s -> s.appendMulti(parts, Optional.of(condition)));
        if (answer instanceof Answer.Value(List<?> results)
                && results.stream().anyMatch(r -> r instanceof AppendResult a && a.written())) {
            sentConditional.add(new SentConditional(parts, condition));
        }
    }

    private void retryConditional(ModelOps.RetryConditional r) {
        if (sentConditional.isEmpty()) {
            history.add(r + " -> nothing sent yet");
            current = null;
            return;
        }
        SentConditional earlier = sentConditional.get(r.append() % sentConditional.size());
        compare(
                r + " as " + describe(earlier.parts()) + " after "
                        + earlier.condition().afterPosition(),
                s -> s.appendMulti(earlier.parts(), Optional.of(earlier.condition())));
    }

    private void setMetadata(ModelOps.SetMetadata m) {
        String stream = ModelOps.nameOf(m.stream());
        long metastreamVersion = model.lastVersion(SystemNames.metastreamOf(stream));
        ExpectedVersion expected = m.expect().resolve(metastreamVersion);
        StreamMetadata md = StreamMetadata.empty();
        if (m.maxCount().isPresent()) {
            md = md.withMaxCount(m.maxCount().getAsLong());
        }
        if (m.truncateBefore().isPresent()) {
            md = md.withTruncateBefore(m.truncateBefore().getAsLong());
        }
        if (m.maxAgeSeconds().isPresent()) {
            md = md.withMaxAge(Duration.ofSeconds(m.maxAgeSeconds().getAsLong()));
        }
        StreamMetadata metadata = md;
        if (m.viaMetastream()) {
            EventData event = new EventData(
                    new UUID(0, nextEventNumber++),
                    SystemNames.METADATA_TYPE,
                    StreamMetadataCodec.encode(metadata),
                    new byte[0],
                    ContentType.JSON);
            append(m + " as " + expected, SystemNames.metastreamOf(stream), expected, List.of(event));
        } else {
            compare(m + " as " + expected, s -> s.setStreamMetadata(stream, expected, metadata));
        }
    }

    /** At the end: the whole of {@code $all}, and every stream both ways, must be the same. */
    void compareEverything() {
        long from = 0;
        while (true) {
            long position = from;
            Answer page = compare(
                    "final readAll from " + position, s -> s.readAll(ReadAllOptions.forwards(position, LIMITS_READ)));
            if (!(page instanceof Answer.Value v) || ((AllView) v.value()).endOfAll()) {
                break;
            }
            from = ((AllView) v.value()).nextPosition();
        }
        for (String stream : ModelOps.STREAMS) {
            for (long version = 0; version <= Math.max(0, model.lastVersion(stream)); version += LIMITS_READ) {
                long fromVersion = version;
                compare(
                        "final readStream " + stream + " from " + fromVersion,
                        s -> s.readStream(stream, fromVersion, Direction.FORWARDS, LIMITS_READ));
            }
            compare(
                    "final readStream " + stream + " backwards",
                    s -> s.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, LIMITS_READ));
            compare("final getStreamMetadata " + stream, s -> s.getStreamMetadata(stream));
        }
        for (ModelOps.QueryChoice query : ModelOps.QueryChoice.values()) {
            compare(
                    "final readByQuery " + query + " backwards",
                    s -> s.readByQuery(query.query, ReadAllOptions.END, Direction.BACKWARDS, LIMITS_READ));
        }
    }

    /** Compared after every step, but left out of the history to keep it short. */
    private static final String HEAD = "headPosition";

    private static final int LIMITS_READ = EventStoreModelProperties.LIMITS.maxReadCount();

    private Answer compare(Object what, Function<EventStore, Object> call) {
        Answer expected = answer(model, call);
        Answer actual = answer(store, call);
        if (!HEAD.equals(what)) {
            history.add(what + " -> " + expected);
        }
        if (current != null) {
            Statistics.label("operation outcomes").collect(current.getClass().getSimpleName(), outcome(expected));
            current = null;
        }
        if (!expected.equals(actual)) {
            StringBuilder message = new StringBuilder("the store and the model differ at: ")
                    .append(what)
                    .append("\n  store: ")
                    .append(actual)
                    .append("\n  model: ")
                    .append(expected)
                    .append("\nhistory (the model's answers):");
            for (int i = 0; i < history.size(); i++) {
                message.append("\n  ").append(i + 1).append(". ").append(history.get(i));
            }
            throw new AssertionError(message.toString());
        }
        return expected;
    }

    /** A coarse class of an answer, so that the statistics show which paths the run reached. */
    private static String outcome(Answer answer) {
        return switch (answer) {
            case Answer.Failure f -> f.type();
            case Answer.Value(AppendResult r) -> r.written() ? "written" : "not written";
            case Answer.Value(List<?> results) ->
                results.stream().anyMatch(r -> r instanceof AppendResult a && !a.written())
                        ? "some not written"
                        : "written";
            case Answer.Value(ReadStreamResult.NotFound n) -> "not found";
            case Answer.Value(StreamView v) -> v.events().isEmpty() ? "found, empty" : "found";
            case Answer.Value(AllView v) -> v.events().isEmpty() ? "empty" : "events";
            case Answer.Value(QueryView v) -> v.events().isEmpty() ? "no match" : "matches";
            case Answer.Value v -> "ok";
        };
    }

    private static Answer answer(EventStore target, Function<EventStore, Object> call) {
        try {
            return new Answer.Value(view(call.apply(target)));
        } catch (WrongExpectedVersionException e) {
            return new Answer.Failure(
                    e.getClass().getSimpleName(),
                    e.stream() + " expected " + e.expected() + " actual " + e.actualVersion());
        } catch (AppendConditionFailedException e) {
            return new Answer.Failure(e.getClass().getSimpleName(), "conflicting position " + e.conflictingPosition());
        } catch (StreamDeletedException e) {
            return new Answer.Failure(e.getClass().getSimpleName(), e.stream());
        } catch (FactumException e) {
            // The TCK checks which field an InvalidInputException names; when one call has several
            // faults, backends may report any of them first, so only the type is compared here.
            return new Answer.Failure(e.getClass().getSimpleName(), "");
        } catch (RuntimeException e) {
            return new Answer.Failure(e.getClass().getName(), String.valueOf(e.getMessage()));
        }
    }

    private static Object view(Object result) {
        return switch (result) {
            case ReadStreamResult.Found f ->
                new StreamView(f.events().stream().map(EventView::of).toList(), f.lastStreamVersion(), f.endOfStream());
            case ReadAllResult r ->
                new AllView(r.events().stream().map(EventView::of).toList(), r.nextPosition(), r.endOfAll());
            case QueryReadResult r ->
                new QueryView(r.events().stream().map(EventView::of).toList(), r.headPosition());
            default -> Objects.requireNonNull(result);
        };
    }

    /** New events with ids and payloads numbered in sending order, so that a history is readable. */
    private List<EventData> newEvents(int count, boolean oversized, ModelOps.Tags tags) {
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long n = nextEventNumber++;
            String type =
                    switch ((int) (n % 3)) {
                        case 0 -> "Created";
                        case 1 -> "Updated";
                        default -> "$Custom";
                    };
            byte[] data = oversized && i == 0
                    ? new byte[EventStoreModelProperties.LIMITS.maxEventBytes() + 1]
                    : ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
            events.add(new EventData(new UUID(0, n), type, data, new byte[0], ContentType.JSON, tags.tags));
        }
        return events;
    }

    private static List<Long> numbers(List<EventData> events) {
        return events.stream().map(e -> e.eventId().getLeastSignificantBits()).toList();
    }
}
