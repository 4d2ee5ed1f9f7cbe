package io.factum.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.StreamAppend;
import io.factum.api.SubscribeFrom;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Dynamic consistency boundaries over HTTP: {@code POST /dcb/read} (read by query), {@code GET
 * /dcb/live} (catch-up then live by query, as Server-Sent Events) and {@code POST /dcb/append} (an
 * atomic append to several streams with an optional condition, through the {@link AppendGate}).
 * The access rules are those of the gRPC Dcb service: a query read needs {@code $all} read access.
 */
final class DcbRoutes {

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;
    private final AppendGate gate;
    private final JsonEvents json;
    private final Pages pages;

    DcbRoutes(ApiContext context, AppendGate gate, JsonEvents json, Pages pages) {
        this.store = context.store();
        this.policy = context.security().policy();
        this.metrics = context.metrics();
        this.gate = gate;
        this.json = json;
        this.pages = pages;
    }

    /** {@code {"query": {...}, "from": n, "direction": "forwards", "limit": n}}. */
    HttpReply read(HttpCall call, QueryParams params, Principal who) {
        params.allowOnly(Set.of());
        JsonNode body = object(json.parse(call.body(), "body"), "body", Set.of("query", "from", "direction", "limit"));
        Query query = query(body.get("query"), "query");
        Direction direction = direction(body.get("direction"));
        boolean forwards = direction == Direction.FORWARDS;
        long from = optionalLong(body.get("from"), "from").orElse(forwards ? 0 : ReadAllOptions.END);
        long limit = optionalLong(body.get("limit"), "limit").orElse((long) Pages.DEFAULT_PAGE_EVENTS);
        int maxPage = Math.min(Pages.MAX_PAGE_EVENTS, store.limits().maxReadCount());
        if (limit < 1 || limit > maxPage) {
            throw HttpProblem.badRequest("limit", "limit: " + limit + " is not between 1 and " + maxPage);
        }
        policy.checkReadAll(who);
        QueryReadResult result = store.readByQuery(query, from, direction, (int) limit);
        metrics.eventsRead(Transport.HTTP, result.events().size());
        ObjectNode page = json.object();
        page.put("direction", Pages.name(direction));
        page.set("events", pages.events(result.events()));
        page.put("headPosition", result.headPosition());
        return new HttpReply.Json(HttpResponseStatus.OK, page);
    }

    /** {@code ?type=A&type=B&tag=x&from=start|end|position}: one query item, as SSE. */
    HttpReply live(HttpCall call, QueryParams params, Principal who) {
        params.allowOnly(Set.of("type", "tag", "from"));
        List<String> types = params.all("type");
        List<String> tags = params.all("tag");
        if (types.isEmpty() && tags.isEmpty()) {
            throw HttpProblem.badRequest(
                    "type", "type, tag: name at least one event type or tag (to follow every event, use $all/live)");
        }
        Query query = new Query(List.of(new QueryItem(types, tags)));
        store.limits().checkQuery("query", query);
        SubscribeFrom from = LiveRoutes.from(call, params);
        policy.checkReadAll(who);
        return new HttpReply.EventStream(session -> store.subscribeToQuery(query, from, session), true);
    }

    /** {@code {"appends": [{stream, expectedVersion, events}], "condition": {query, afterPosition}}}. */
    HttpReply append(HttpCall call, QueryParams params, Principal who) {
        List<StreamAppend> parts;
        Optional<AppendCondition> condition;
        try {
            params.allowOnly(Set.of());
            JsonNode body = object(json.parse(call.body(), "body"), "body", Set.of("appends", "condition"));
            parts = parts(body.get("appends"));
            condition = condition(body.get("condition"));
        } catch (RuntimeException e) {
            gate.refused(AppendRoute.HTTP_DCB, "invalid-argument");
            throw e;
        }
        List<AppendResult> results =
                switch (gate.append(AppendRoute.HTTP_DCB, who, parts, condition)) {
                    case AppendOutcome.Appended appended -> appended.results();
                    case AppendOutcome.Refused refused -> throw refused.error();
                };
        ObjectNode reply = json.object();
        ArrayNode out = reply.putArray("results");
        for (int i = 0; i < results.size(); i++) {
            ObjectNode one = out.addObject();
            one.put("stream", parts.get(i).stream());
            one.put("version", results.get(i).streamVersion());
            one.put("position", results.get(i).position());
            one.put("written", results.get(i).written());
        }
        boolean written = results.stream().anyMatch(AppendResult::written);
        return new HttpReply.Json(written ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, reply);
    }

    private List<StreamAppend> parts(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw HttpProblem.badRequest("appends", "appends: must be a non-empty array of stream appends");
        }
        List<StreamAppend> parts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String field = "appends[" + i + "]";
            JsonNode part = object(node.get(i), field, Set.of("stream", "expectedVersion", "events"));
            JsonNode stream = part.get("stream");
            if (stream == null || !stream.isTextual() || stream.textValue().isEmpty()) {
                throw HttpProblem.badRequest(field + ".stream", field + ".stream: a stream name is required");
            }
            JsonNode events = part.get("events");
            if (events == null || !events.isArray()) {
                throw HttpProblem.badRequest(field + ".events", field + ".events: must be an array of events");
            }
            List<EventData> parsed = new ArrayList<>(events.size());
            for (int e = 0; e < events.size(); e++) {
                parsed.add(json.parseEvent(events.get(e), field + ".events[" + e + "]"));
            }
            parts.add(new StreamAppend(
                    stream.textValue(), expected(part.get("expectedVersion"), field + ".expectedVersion"), parsed));
        }
        return parts;
    }

    /** {@code "any"} (also when absent), {@code "no-stream"}, {@code "stream-exists"} or a version. */
    private static ExpectedVersion expected(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return ExpectedVersion.any();
        }
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return ExpectedVersion.exactly(node.longValue());
        }
        return switch (node.isTextual() ? node.textValue() : "") {
            case "any" -> ExpectedVersion.any();
            case "no-stream" -> ExpectedVersion.noStream();
            case "stream-exists" -> ExpectedVersion.streamExists();
            default ->
                throw HttpProblem.badRequest(
                        field, field + ": must be \"any\", \"no-stream\", \"stream-exists\" or a version (0 or more)");
        };
    }

    private Optional<AppendCondition> condition(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        JsonNode condition = object(node, "condition", Set.of("query", "afterPosition"));
        Query query = query(condition.get("query"), "condition.query");
        JsonNode after = condition.get("afterPosition");
        if (after == null || !after.isIntegralNumber() || !after.canConvertToLong() || after.longValue() < -1) {
            throw HttpProblem.badRequest(
                    "condition.afterPosition",
                    "condition.afterPosition: is required, a position or -1 (no matching event may exist)");
        }
        return Optional.of(new AppendCondition(query, after.longValue()));
    }

    /** {@code {"items": [{"types": [...], "tags": [...]}]}}. */
    private Query query(JsonNode node, String field) {
        JsonNode query = object(node, field, Set.of("items"));
        JsonNode items = query.get("items");
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw HttpProblem.badRequest(field + ".items", field + ".items: a query needs a non-empty array of items");
        }
        List<QueryItem> parsed = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String itemField = field + ".items[" + i + "]";
            JsonNode item = object(items.get(i), itemField, Set.of("types", "tags"));
            List<String> types = strings(item.get("types"), itemField + ".types");
            List<String> tags = strings(item.get("tags"), itemField + ".tags");
            if (types.isEmpty() && tags.isEmpty()) {
                throw HttpProblem.badRequest(
                        itemField, itemField + ": names no type and no tag, so it would match every event");
            }
            parsed.add(new QueryItem(types, tags));
        }
        Query result = new Query(parsed);
        store.limits().checkQuery(field, result);
        return result;
    }

    private static List<String> strings(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw HttpProblem.badRequest(field, field + ": must be an array of strings");
        }
        List<String> out = new ArrayList<>(node.size());
        for (JsonNode value : node) {
            if (!value.isTextual()) {
                throw HttpProblem.badRequest(field, field + ": must be an array of strings");
            }
            out.add(value.textValue());
        }
        return out;
    }

    private static JsonNode object(JsonNode node, String field, Set<String> known) {
        if (node == null || !node.isObject()) {
            throw HttpProblem.badRequest(
                    field,
                    field + ": must be an object, found " + (node == null ? "nothing" : JsonEvents.describe(node)));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw HttpProblem.badRequest(
                        field + "." + name, field + "." + name + ": unknown field (known: " + known + ")");
            }
        }
        return node;
    }

    private static Direction direction(JsonNode node) {
        if (node == null || node.isNull()) {
            return Direction.FORWARDS;
        }
        return switch (node.isTextual() ? node.textValue() : "") {
            case "forwards" -> Direction.FORWARDS;
            case "backwards" -> Direction.BACKWARDS;
            default -> throw HttpProblem.badRequest("direction", "direction: must be \"forwards\" or \"backwards\"");
        };
    }

    private static Optional<Long> optionalLong(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw HttpProblem.badRequest(field, field + ": must be a non-negative integer");
        }
        return Optional.of(node.longValue());
    }
}
