package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.FactumException;
import io.factum.server.metrics.MetricsExporter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
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

    /** Serving, and the store is open and not failed. */
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
            body.put("state", context.serving().getAsBoolean() ? "serving" : "stopping");
        } catch (FactumException e) {
            body.put("state", "unavailable");
        }
        body.put("authentication", context.security().required() ? "required" : "optional");
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    HttpReply metrics(QueryParams query) {
        query.allowOnly(Set.of());
        return new HttpReply.Text(HttpResponseStatus.OK, MetricsExporter.CONTENT_TYPE, exporter.scrape());
    }
}
