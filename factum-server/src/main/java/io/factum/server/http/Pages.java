package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.Direction;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Read pages: the common parameters ({@code from}, {@code direction}, {@code limit}) and the JSON of
 * a page of events. A page holds at most {@link #MAX_PAGE_EVENTS} events and stops early past about
 * {@link #MAX_PAGE_BYTES}, so a page of large events stays a bounded response; its {@code next} link
 * then continues right after the last event it holds.
 */
final class Pages {

    static final int DEFAULT_PAGE_EVENTS = 100;
    static final int MAX_PAGE_EVENTS = 1000;
    static final long MAX_PAGE_BYTES = 16L << 20;

    private final JsonEvents json;
    private final int maxEvents;

    Pages(JsonEvents json, StoreLimits limits) {
        this.json = json;
        this.maxEvents = Math.min(MAX_PAGE_EVENTS, limits.maxReadCount());
    }

    static Direction direction(QueryParams query) {
        return query.single("direction")
                .map(text -> switch (text) {
                    case "forwards" -> Direction.FORWARDS;
                    case "backwards" -> Direction.BACKWARDS;
                    default ->
                        throw HttpProblem.badRequest(
                                "direction",
                                "direction: '" + RequestTarget.abbreviate(text) + "' is not forwards or backwards");
                })
                .orElse(Direction.FORWARDS);
    }

    /** {@code start}, {@code end} or a number; {@code atStart}/{@code atEnd} give their value. */
    static long from(QueryParams query, long atStart, long atEnd, long fallback) {
        return query.single("from")
                .map(text -> switch (text) {
                    case "start" -> atStart;
                    case "end" -> atEnd;
                    default -> {
                        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                            throw HttpProblem.badRequest(
                                    "from",
                                    "from: '" + RequestTarget.abbreviate(text)
                                            + "' is not start, end or a non-negative integer");
                        }
                        yield QueryParams.parseNonNegative("from", text);
                    }
                })
                .orElse(fallback);
    }

    int limit(QueryParams query) {
        return query.count("limit", Math.min(DEFAULT_PAGE_EVENTS, maxEvents), maxEvents);
    }

    /** The events that fit the page, as JSON, in order. */
    List<RecordedEvent> fit(List<RecordedEvent> events) {
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            RecordedEvent e = events.get(i);
            // Base64 or escaping at most doubles a payload; the rest of an event is a few hundred bytes.
            bytes += 2L * (e.data().length + e.metadata().length) + 512;
            if (bytes > MAX_PAGE_BYTES && i > 0) {
                return events.subList(0, i);
            }
        }
        return events;
    }

    ArrayNode events(List<RecordedEvent> events) {
        ArrayNode array = json.mapper().createArrayNode();
        for (RecordedEvent event : events) {
            array.add(json.toNode(event));
        }
        return array;
    }

    static String name(Direction direction) {
        return direction.name().toLowerCase(Locale.ROOT);
    }

    /** A link to a page: {@code path?from=..&direction=..&limit=..} plus extra parameters. */
    static String link(String path, long from, Direction direction, int limit, Map<String, List<String>> extra) {
        var link = new StringBuilder(path)
                .append("?from=")
                .append(from)
                .append("&direction=")
                .append(name(direction))
                .append("&limit=")
                .append(limit);
        extra.forEach((name, values) -> {
            for (String value : values) {
                link.append('&').append(name).append('=').append(RequestTarget.encodeSegment(value));
            }
        });
        return link.toString();
    }

    /** Adds the {@code next} member when there is a next page. */
    static void next(ObjectNode page, java.util.Optional<String> next) {
        next.ifPresent(link -> page.put("next", link));
    }
}
