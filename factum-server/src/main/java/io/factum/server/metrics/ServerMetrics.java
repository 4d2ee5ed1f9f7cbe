package io.factum.server.metrics;

import io.factum.api.AccessDeniedException;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's own counters, shared by every transport. Counting is a {@link LongAdder} increment,
 * cheap enough for the append and read paths. Thread-safe.
 */
public final class ServerMetrics {

    private final Map<Transport, PerTransport> transports = new EnumMap<>(Transport.class);
    private final Map<AppendRoute, PerRoute> routes = new EnumMap<>(AppendRoute.class);
    private final Map<String, LongAdder> appendFailures = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> httpResponses = new ConcurrentHashMap<>();
    private final SubscriptionRegistry subscriptions = new SubscriptionRegistry();

    public ServerMetrics() {
        for (Transport transport : Transport.values()) {
            transports.put(transport, new PerTransport());
        }
        for (AppendRoute route : AppendRoute.values()) {
            routes.put(route, new PerRoute());
        }
    }

    /** An append was acknowledged; {@code events} and {@code bytes} count only what was written. */
    public void appended(AppendRoute route, int events, long bytes) {
        PerRoute counters = routes.get(route);
        counters.appends.increment();
        counters.events.add(events);
        counters.bytes.add(bytes);
    }

    /**
     * An append was refused.
     *
     * @param reason a short error name, such as {@code wrong-expected-version}
     */
    public void appendFailed(AppendRoute route, String reason) {
        appendFailures
                .computeIfAbsent(
                        route.transport().label() + "\u0000" + route.api() + "\u0000" + reason, k -> new LongAdder())
                .increment();
    }

    /**
     * The reason label of a refused append, the same for every transport: {@code
     * wrong-expected-version}, {@code stream-deleted}, {@code invalid-argument}, {@code
     * access-denied}, {@code unavailable}, or {@code other}.
     */
    public static String reason(Throwable error) {
        return switch (error) {
            case WrongExpectedVersionException w -> "wrong-expected-version";
            case AppendConditionFailedException c -> "append-condition-failed";
            case StreamDeletedException d -> "stream-deleted";
            case InvalidInputException i -> "invalid-argument";
            case AccessDeniedException a -> "access-denied";
            case StoreClosedException c -> "unavailable";
            case StoreFailedException f -> "unavailable";
            case IllegalArgumentException i -> "invalid-argument";
            default -> "other";
        };
    }

    /** Events returned by reads (not subscriptions). */
    public void eventsRead(Transport transport, long events) {
        transports.get(transport).eventsRead.add(events);
    }

    /** Events delivered by subscriptions. */
    public void eventsDelivered(Transport transport, long events) {
        transports.get(transport).eventsDelivered.add(events);
    }

    /** An HTTP response was sent with this status. */
    public void httpResponse(int status) {
        httpResponses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    /** Starts tracking a subscription; close the result when the subscription ends. */
    public TrackedSubscription subscriptionOpened(Transport transport, boolean toAll) {
        return subscriptions.open(transport, toAll);
    }

    /** Writes these counters; {@code headPosition} is the store's head, for the subscription lag. */
    void write(PrometheusText out, long headPosition) {
        writeAppends(out);
        out.family("factum_events_read_total", "counter", "Events returned by stream and $all reads.");
        transports.forEach((t, c) -> out.sample(c.eventsRead.sum(), "transport", t.label()));
        out.family("factum_events_delivered_total", "counter", "Events delivered by subscriptions.");
        transports.forEach((t, c) -> out.sample(c.eventsDelivered.sum(), "transport", t.label()));
        out.family("factum_http_responses_total", "counter", "HTTP responses sent, by status code.");
        httpResponses.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.sample(e.getValue().sum(), "code", Integer.toString(e.getKey())));
        writeSubscriptions(out, headPosition);
    }

    private void writeAppends(PrometheusText out) {
        out.family(
                "factum_appends_total",
                "counter",
                "Appends acknowledged (one per call, whatever its size), by transport and API.");
        routes.forEach(
                (r, c) -> out.sample(c.appends.sum(), "transport", r.transport().label(), "api", r.api()));
        out.family("factum_appended_events_total", "counter", "Events written by acknowledged appends.");
        routes.forEach(
                (r, c) -> out.sample(c.events.sum(), "transport", r.transport().label(), "api", r.api()));
        out.family(
                "factum_appended_bytes_total",
                "counter",
                "Payload bytes (data plus metadata) written by acknowledged appends.");
        routes.forEach(
                (r, c) -> out.sample(c.bytes.sum(), "transport", r.transport().label(), "api", r.api()));
        out.family("factum_append_failures_total", "counter", "Appends refused, by transport, API and reason.");
        appendFailures.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] key = e.getKey().split("\u0000", 3);
            out.sample(e.getValue().sum(), "transport", key[0], "api", key[1], "reason", key[2]);
        });
    }

    private void writeSubscriptions(PrometheusText out, long headPosition) {
        Map<Transport, SubscriptionCounts> counts = new EnumMap<>(Transport.class);
        for (Transport transport : Transport.values()) {
            counts.put(transport, new SubscriptionCounts());
        }
        for (TrackedSubscription s : subscriptions.snapshot()) {
            counts.get(s.transport()).add(s, headPosition);
        }
        out.family("factum_subscriptions", "gauge", "Open subscriptions, by transport and target.");
        counts.forEach((t, c) -> {
            out.sample(c.stream, "transport", t.label(), "target", "stream");
            out.sample(c.all, "transport", t.label(), "target", "all");
        });
        out.family("factum_subscriptions_catching_up", "gauge", "Open subscriptions not yet caught up.");
        counts.forEach((t, c) -> out.sample(c.catchingUp, "transport", t.label()));
        out.family(
                "factum_subscription_lag_positions_max",
                "gauge",
                "Largest distance, in global positions, between the head and what a $all subscription"
                        + " has delivered or examined.");
        counts.forEach((t, c) -> out.sample(c.lag, "transport", t.label()));
    }

    /** Not thread-safe: one per scrape. */
    private static final class SubscriptionCounts {
        long stream;
        long all;
        long catchingUp;
        long lag;

        void add(TrackedSubscription s, long headPosition) {
            if (s.toAll()) {
                all++;
                lag = Math.max(lag, headPosition - s.position());
            } else {
                stream++;
            }
            if (!s.isCaughtUp()) {
                catchingUp++;
            }
        }
    }

    private static final class PerRoute {
        final LongAdder appends = new LongAdder();
        final LongAdder events = new LongAdder();
        final LongAdder bytes = new LongAdder();
    }

    private static final class PerTransport {
        final LongAdder eventsRead = new LongAdder();
        final LongAdder eventsDelivered = new LongAdder();
    }
}
