package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.FactumException;
import io.factum.server.metrics.MetricsExporter;
import io.factum.server.metrics.StoreState;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** {@code /}, {@code /health/live}, {@code /health/ready}, {@code /info}, {@code /metrics}. */
final class OpsRoutes {

    private final ApiContext context;
    private final JsonEvents json;
    private final MetricsExporter exporter;

    OpsRoutes(ApiContext context, JsonEvents json, MetricsExporter exporter) {
        this.context = context;
        this.json = json;
        this.exporter = exporter;
    }

    HttpReply root(QueryParams query) {
        query.allowOnly(Set.of());
        ObjectNode body = json.object();
        body.put("name", "factum");
        body.put("version", context.node().version());
        ObjectNode links = body.putObject("links");
        links.put("streams", "/streams/{stream}");
        links.put("all", "/streams/$all");
        links.put("info", "/info");
        links.put("health", "/health/ready");
        links.put("metrics", "/metrics");
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    /** The process answers: nothing more is checked. */
    HttpReply live(QueryParams query) {
        query.allowOnly(Set.of());
        ObjectNode body = json.object();
        body.put("status", "live");
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    /**
     * Serving, and the store is open and accepts writes. A store that is read-only after a write
     * failure is not ready (503, "read-only: cause") although it still serves reads, so that a load
     * balancer sends writers elsewhere while {@code /health/live} stays 200.
     */
    HttpReply ready(QueryParams query) {
        query.allowOnly(Set.of());
        if (!context.serving().getAsBoolean()) {
            throw HttpErrors.unavailable("the server is stopping");
        }
        try {
            context.store().headPosition();
        } catch (FactumException e) {
            throw HttpErrors.unavailable("the store is not serving: " + e.getMessage());
        }
        StoreState.readOnly(context.store()).ifPresent(reason -> {
            throw new HttpProblem(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "read-only", "read-only: " + reason, Optional.empty());
        });
        ObjectNode body = json.object();
        body.put("status", "ready");
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    HttpReply info(QueryParams query) {
        query.allowOnly(Set.of());
        ApiContext.NodeInfo node = context.node();
        ObjectNode body = json.object();
        body.put("name", "factum");
        body.put("version", node.version());
        body.put("protocolVersion", node.protocolVersion());
        body.put("node", node.id().toString());
        body.put("started", node.started().toString());
        body.put(
                "uptimeSeconds",
                Duration.between(node.started(), context.clock().instant()).toSeconds());
        try {
            body.put("headPosition", context.store().headPosition());
            body.put("state", state());
        } catch (FactumException e) {
            body.put("state", "unavailable");
        }
        body.put("authentication", context.security().required() ? "required" : "optional");
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    private String state() {
        if (!context.serving().getAsBoolean()) {
            return "stopping";
        }
        return StoreState.readOnly(context.store()).isPresent() ? "read-only" : "serving";
    }

    HttpReply metrics(QueryParams query) {
        query.allowOnly(Set.of());
        return new HttpReply.Text(HttpResponseStatus.OK, MetricsExporter.CONTENT_TYPE, exporter.scrape());
    }
}
