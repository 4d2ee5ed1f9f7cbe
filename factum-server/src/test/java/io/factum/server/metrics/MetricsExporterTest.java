package io.factum.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.testkit.memory.InMemoryEventStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus text is well formed and carries what the transports counted. */
class MetricsExporterTest {

    static final Pattern SAMPLE = Pattern.compile("([a-z_]+)(\\{[^}]*})? (-?[0-9.E]+)");

    @Test
    void everyFamilyIsDeclaredOnceAndItsSamplesFollowItTogether() {
        var metrics = new ServerMetrics();
        metrics.appended(AppendRoute.GRPC_BATCH_APPEND, 3, 120);
        metrics.appendFailed(AppendRoute.HTTP_STREAM, "wrong-expected-version");
        metrics.httpResponse(201);
        metrics.httpResponse(404);
        String text = exporter(metrics, new InMemoryEventStore()).scrape();

        Set<String> declared = new HashSet<>();
        Set<String> finished = new HashSet<>();
        String current = "";
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String name = line.split(" ")[2];
                assertThat(declared.add(name)).as("declared twice: " + name).isTrue();
                finished.add(current);
                current = name;
                continue;
            }
            var m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("not a sample line: " + line).isTrue();
            assertThat(m.group(1)).as("sample outside its family: " + line).isEqualTo(current);
            assertThat(finished).doesNotContain(m.group(1));
        }
        assertThat(text).contains("factum_appends_total{transport=\"grpc\",api=\"batch-append\"} 1\n");
        assertThat(text).contains("factum_appended_events_total{transport=\"grpc\",api=\"batch-append\"} 3\n");
        assertThat(text).contains("factum_appended_bytes_total{transport=\"grpc\",api=\"batch-append\"} 120\n");
        assertThat(text)
                .contains(
                        "factum_append_failures_total{transport=\"http\",api=\"stream\",reason=\"wrong-expected-version\"} 1\n");
        assertThat(text).contains("factum_http_responses_total{code=\"404\"} 1\n");
        assertThat(text).contains("factum_up 1\n");
        assertThat(text).contains("factum_store_read_only 0\n");
        assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"} ");
    }

    @Test
    void subscriptionLagIsTheDistanceFromTheHeadOfTheFurthestBehind() {
        var store = new InMemoryEventStore();
        List<EventData> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(EventData.json("E", "{}"));
        }
        store.append("s", ExpectedVersion.any(), events); // head = 9
        var metrics = new ServerMetrics();
        TrackedSubscription behind = metrics.subscriptionOpened(Transport.HTTP, true);
        TrackedSubscription current = metrics.subscriptionOpened(Transport.HTTP, true);
        TrackedSubscription stream = metrics.subscriptionOpened(Transport.GRPC, false);
        behind.delivered(3);
        current.delivered(9);
        current.caughtUp();
        String text = exporter(metrics, store).scrape();
        assertThat(text).contains("factum_subscription_lag_positions_max{transport=\"http\"} 6\n");
        assertThat(text).contains("factum_subscriptions{transport=\"http\",target=\"all\"} 2\n");
        assertThat(text).contains("factum_subscriptions{transport=\"grpc\",target=\"stream\"} 1\n");
        assertThat(text).contains("factum_subscriptions_catching_up{transport=\"http\"} 1\n");

        behind.close();
        behind.close(); // twice is harmless
        stream.close();
        String after = exporter(metrics, store).scrape();
        assertThat(after).contains("factum_subscription_lag_positions_max{transport=\"http\"} 0\n");
        assertThat(after).contains("factum_subscriptions{transport=\"http\",target=\"all\"} 1\n");
        assertThat(after).contains("factum_subscriptions{transport=\"grpc\",target=\"stream\"} 0\n");
    }

    @Test
    void aClosedStoreReportsDownInsteadOfFailingTheScrape() {
        var store = new InMemoryEventStore();
        store.close();
        String text = exporter(new ServerMetrics(), store).scrape();
        assertThat(text).contains("factum_up 0\n").contains("factum_store_head_position -1\n");
    }

    @Test
    void labelValuesAreEscaped() {
        var out = new PrometheusText();
        out.family("x_total", "counter", "help with \\ backslash");
        out.sample(1, "reason", "a\"b\\c\nd");
        assertThat(out.text()).contains("x_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n");
    }

    /** The embedded engine's group-commit latency is a Prometheus histogram that adds up. */
    @Test
    void theEnginesFlushLatencyIsAHistogram(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (var store = io.factum.engine.EmbeddedEventStore.open(io.factum.engine.EngineOptions.defaults(dir))) {
            for (int i = 0; i < 25; i++) {
                store.append("s", io.factum.api.ExpectedVersion.any(), List.of(EventData.json("E", "{}")));
            }
            long syncs = store.stats().syncs();
            String text = exporter(new ServerMetrics(), store).scrape();

            assertThat(text).contains("# TYPE factum_store_flush_seconds histogram\n");
            List<Double> cumulative = text.lines()
                    .filter(l -> l.startsWith("factum_store_flush_seconds_bucket{"))
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .toList();
            assertThat(cumulative).hasSize(12).isSorted();
            assertThat(text).contains("factum_store_flush_seconds_bucket{le=\"+Inf\"} " + syncs + "\n");
            assertThat(text).contains("factum_store_flush_seconds_count " + syncs + "\n");
            assertThat(syncs).isGreaterThanOrEqualTo(25);
            double sum = text.lines()
                    .filter(l -> l.startsWith("factum_store_flush_seconds_sum "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
                    .sum();
            assertThat(sum).isGreaterThan(0);
        }
    }

    static MetricsExporter exporter(ServerMetrics metrics, io.factum.api.EventStore store) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        return new MetricsExporter(metrics, store, Clock.fixed(now.plusSeconds(90), ZoneOffset.UTC), now);
    }
}
