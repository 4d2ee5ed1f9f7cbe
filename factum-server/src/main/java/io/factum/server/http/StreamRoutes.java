package io.factum.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.AppendResult;
import io.factum.api.DeleteResult;
import io.factum.api.Direction;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamAppend;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataCodec;
import io.factum.api.StreamMetadataResult;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /streams/{stream}}: append, read, one event, delete, metadata. */
final class StreamRoutes {

    static final String METASTREAM_VERSION = "Factum-Metastream-Version";

    private final AppendGate gate;
    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;
    private final JsonEvents json;
    private final Pages pages;

    StreamRoutes(ApiContext context, AppendGate gate, JsonEvents json, Pages pages) {
        this.gate = gate;
        this.store = context.store();
        this.policy = context.security().policy();
        this.metrics = context.metrics();
        this.json = json;
        this.pages = pages;
    }

    HttpReply append(HttpCall call, String stream, QueryParams query, Principal who) {
        StreamAppend part;
        try {
            query.allowOnly(Set.of());
            ExpectedVersion expected = ExpectedVersionHeaders.of(call);
            part = new StreamAppend(stream, expected, json.parseAppend(call.body()));
        } catch (RuntimeException e) {
            gate.refused(AppendRoute.HTTP_STREAM, "invalid-argument");
            throw e;
        }
        AppendResult result =
                switch (gate.append(AppendRoute.HTTP_STREAM, who, List.of(part), Optional.empty())) {
                    case AppendOutcome.Appended appended -> appended.results().getFirst();
                    case AppendOutcome.Refused refused -> throw refused.error();
                };
        ObjectNode body = json.object();
        body.put("stream", stream);
        body.put("version", result.streamVersion());
        body.put("position", result.position());
        body.put("written", result.written());
        return new HttpReply.Json(result.written() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, body);
    }

    HttpReply read(String stream, QueryParams query, Principal who) {
        query.allowOnly(Set.of("from", "direction", "limit"));
        Direction direction = Pages.direction(query);
        long from = Pages.from(query, 0, Long.MAX_VALUE, direction == Direction.FORWARDS ? 0 : Long.MAX_VALUE);
        int limit = pages.limit(query);
        policy.checkStream(who, StreamAccess.READ, stream);
        ReadStreamResult result = store.readStream(stream, from, direction, limit);
        if (!(result instanceof ReadStreamResult.Found found)) {
            throw HttpProblem.notFound("stream-not-found", "stream '" + stream + "' does not exist");
        }
        List<RecordedEvent> events = pages.fit(found.events());
        metrics.eventsRead(Transport.HTTP, events.size());
        boolean trimmed = events.size() < found.events().size();
        ObjectNode page = json.object();
        page.put("stream", stream);
        page.put("direction", Pages.name(direction));
        page.put("lastStreamVersion", found.lastStreamVersion());
        page.put("endOfStream", found.endOfStream() && !trimmed);
        page.set("events", pages.events(events));
        Pages.next(page, next(stream, from, direction, limit, events, found.endOfStream() && !trimmed));
        return new HttpReply.Json(HttpResponseStatus.OK, page);
    }

    /** Forwards, a next page always exists (new events may come); backwards, until version 0. */
    private static Optional<String> next(
            String stream, long from, Direction direction, int limit, List<RecordedEvent> events, boolean end) {
        String path = "/streams/" + RequestTarget.encodeSegment(stream);
        if (direction == Direction.FORWARDS) {
            long next = events.isEmpty() ? from : events.getLast().version() + 1;
            return Optional.of(Pages.link(path, next, direction, limit, Map.of()));
        }
        if (end || events.isEmpty() || events.getLast().version() == 0) {
            return Optional.empty();
        }
        return Optional.of(Pages.link(path, events.getLast().version() - 1, direction, limit, Map.of()));
    }

    HttpReply event(String stream, String versionText, QueryParams query, Principal who) {
        query.allowOnly(Set.of());
        if (versionText.isEmpty() || !versionText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw HttpProblem.notFound(
                    "not-found",
                    "no such resource: /streams/" + RequestTarget.abbreviate(stream) + "/"
                            + RequestTarget.abbreviate(versionText)
                            + " (after the stream come a version, metadata or live)");
        }
        long version = QueryParams.parseNonNegative("version", versionText);
        policy.checkStream(who, StreamAccess.READ, stream);
        ReadStreamResult result = store.readStream(stream, version, Direction.FORWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found)) {
            throw HttpProblem.notFound("stream-not-found", "stream '" + stream + "' does not exist");
        }
        if (found.events().isEmpty() || found.events().getFirst().version() != version) {
            throw HttpProblem.notFound(
                    "event-not-found", "stream '" + stream + "' has no event at version " + version + " to show");
        }
        metrics.eventsRead(Transport.HTTP, 1);
        return new HttpReply.Json(
                HttpResponseStatus.OK, json.toNode(found.events().getFirst()));
    }

    HttpReply delete(HttpCall call, String stream, QueryParams query, Principal who) {
        query.allowOnly(Set.of("hard"));
        boolean hard = query.flag("hard", false);
        ExpectedVersion expected = ExpectedVersionHeaders.of(call);
        policy.checkStream(who, StreamAccess.DELETE, stream);
        DeleteResult result = hard ? store.tombstone(stream, expected) : store.delete(stream, expected);
        ObjectNode body = json.object();
        body.put("stream", stream);
        body.put("position", result.position());
        body.put("hard", hard);
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    HttpReply metadata(String stream, QueryParams query, Principal who) {
        query.allowOnly(Set.of());
        policy.checkStream(who, StreamAccess.METADATA_READ, stream);
        StreamMetadataResult result = store.getStreamMetadata(stream);
        JsonNode body = json.parse(StreamMetadataCodec.encode(result.metadata()), "metadata");
        return new HttpReply.Json(
                HttpResponseStatus.OK, body, Map.of(METASTREAM_VERSION, Long.toString(result.metastreamVersion())));
    }

    HttpReply setMetadata(HttpCall call, String stream, QueryParams query, Principal who) {
        query.allowOnly(Set.of());
        ExpectedVersion expected = ExpectedVersionHeaders.of(call);
        json.parse(call.body(), "body"); // a precise error for malformed JSON before the codec's rules
        StreamMetadata metadata = StreamMetadataCodec.decode(call.body());
        policy.checkStream(who, StreamAccess.METADATA_WRITE, stream);
        AppendResult result = store.setStreamMetadata(stream, expected, metadata);
        ObjectNode body = json.object();
        body.put("stream", stream);
        body.put("metastreamVersion", result.streamVersion());
        body.put("position", result.position());
        return new HttpReply.Json(
                HttpResponseStatus.OK, body, Map.of(METASTREAM_VERSION, Long.toString(result.streamVersion())));
    }
}
