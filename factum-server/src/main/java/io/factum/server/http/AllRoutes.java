package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.ReadAllOptions;
import io.factum.api.ReadAllResult;
import io.factum.api.RecordedEvent;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /streams/$all}: the global log, by position, either direction, optionally filtered.
 * {@code from} is inclusive both ways; a page's {@code next} continues where it stopped (a filtered
 * page may hold few events but still advance past many that did not match).
 */
final class AllRoutes {

    private static final Set<String> PARAMETERS = parameters();

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;
    private final JsonEvents json;
    private final Pages pages;

    AllRoutes(ApiContext context, JsonEvents json, Pages pages) {
        this.json = json;
        this.store = context.store();
        this.policy = context.security().policy();
        this.metrics = context.metrics();
        this.pages = pages;
    }

    private static Set<String> parameters() {
        Set<String> names = new HashSet<>(FilterParams.NAMES);
        names.addAll(List.of("from", "direction", "limit"));
        return Set.copyOf(names);
    }

    HttpReply read(QueryParams query, Principal who) {
        query.allowOnly(PARAMETERS);
        Direction direction = Pages.direction(query);
        int limit = pages.limit(query);
        EventFilter filter = FilterParams.of(query);
        policy.checkReadAll(who);
        long head = store.headPosition();
        boolean forwards = direction == Direction.FORWARDS;
        long from = Pages.from(
                query, forwards ? 0 : -1, forwards ? head + 1 : ReadAllOptions.END, forwards ? 0 : ReadAllOptions.END);
        ObjectNode page = json.object();
        page.put("direction", Pages.name(direction));
        if (from < 0) { // backwards from the start: nothing before it
            page.set("events", pages.events(List.of()));
            page.put("endOfAll", true);
            return new HttpReply.Json(HttpResponseStatus.OK, page);
        }
        ReadAllResult result = store.readAll(new ReadAllOptions(from, direction, limit, filter));
        List<RecordedEvent> events = pages.fit(result.events());
        boolean trimmed = events.size() < result.events().size();
        metrics.eventsRead(Transport.HTTP, events.size());
        long next = trimmed ? events.getLast().position() + (forwards ? 1 : -1) : result.nextPosition();
        boolean end = result.endOfAll() && !trimmed;
        page.set("events", pages.events(events));
        page.put("endOfAll", end);
        if (next >= 0) {
            page.put("nextPosition", next);
        }
        Optional<String> link = forwards || (next >= 0 && !end)
                ? Optional.of(Pages.link("/streams/$all", next, direction, limit, FilterParams.echo(query)))
                : Optional.empty();
        Pages.next(page, link);
        return new HttpReply.Json(HttpResponseStatus.OK, page);
    }
}
