package io.factum.server.http;

import io.factum.api.Direction;
import io.factum.api.EventFilter;
import io.factum.api.EventStore;
import io.factum.api.SubscribeAllOptions;
import io.factum.api.SubscribeFrom;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /streams/{stream}/live} and {@code /streams/$all/live}: catch-up then live, as
 * Server-Sent Events. {@code from} is where to start ({@code start}, {@code end}, or a version or
 * position, inclusive); a {@code Last-Event-ID} header (which browsers send when they reconnect)
 * wins over it and resumes after the event it names.
 */
final class LiveRoutes {

    static final String LAST_EVENT_ID = "Last-Event-ID";

    /** A filtered $all stream reports its place after this many non-matching events. */
    static final int CHECKPOINT_INTERVAL = 1024;

    private static final Set<String> ALL_PARAMETERS = allParameters();

    private final EventStore store;
    private final AccessPolicy policy;

    LiveRoutes(ApiContext context) {
        this.store = context.store();
        this.policy = context.security().policy();
    }

    private static Set<String> allParameters() {
        Set<String> names = new HashSet<>(FilterParams.NAMES);
        names.add("from");
        return Set.copyOf(names);
    }

    HttpReply stream(HttpCall call, String stream, QueryParams query, Principal who) {
        query.allowOnly(Set.of("from"));
        SubscribeFrom from = from(call, query);
        policy.checkStream(who, StreamAccess.READ, stream);
        // A tombstoned stream answers 410 now rather than as an error event after a 200.
        store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1);
        return new HttpReply.EventStream(session -> store.subscribeToStream(stream, from, session), false);
    }

    HttpReply all(HttpCall call, QueryParams query, Principal who) {
        query.allowOnly(ALL_PARAMETERS);
        SubscribeFrom from = from(call, query);
        EventFilter filter = FilterParams.of(query);
        policy.checkReadAll(who);
        var options = new SubscribeAllOptions(from, filter, CHECKPOINT_INTERVAL);
        return new HttpReply.EventStream(session -> store.subscribeToAll(options, session), true);
    }

    static SubscribeFrom from(HttpCall call, QueryParams query) {
        Optional<String> lastEventId = call.header(LAST_EVENT_ID);
        if (lastEventId.isPresent()) {
            return SubscribeFrom.after(QueryParams.parseNonNegative(
                    LAST_EVENT_ID, lastEventId.get().trim()));
        }
        long first = Pages.from(query, 0, -1, -1);
        if (first < 0) {
            return SubscribeFrom.end();
        }
        return first == 0 ? SubscribeFrom.start() : SubscribeFrom.after(first - 1);
    }
}
