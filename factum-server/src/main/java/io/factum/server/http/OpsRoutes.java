package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.FactumException;
import io.factum.cluster.ClusterNode;
import io.factum.cluster.ClusterStatus;
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
        links.put("cluster", "/cluster");
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
        Optional<ClusterNode> cluster = StoreState.cluster(context.store());
        if (cluster.isPresent() && cluster.get().leader().isEmpty()) {
            throw new HttpProblem(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "no-leader",
                    "no leader: an election is under way, or this node cannot reach a majority of the cluster",
                    Optional.empty());
        }
        ObjectNode body = json.object();
        body.put("status", "ready");
        cluster.ifPresent(node -> body.put("role", role(node.status().role())));
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
        Optional<ClusterNode> cluster = StoreState.cluster(context.store());
        if (cluster.isEmpty()) {
            body.put("role", "leader"); // a single node takes every write, as KurrentDB's does
        } else {
            ClusterStatus status = cluster.get().status();
            body.put("role", role(status.role()));
            clusterInfo(body.putObject("cluster"), status);
        }
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    static String role(ClusterStatus.Role role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** What the node knows of its cluster: term, indexes, each member with its lag, the elections. */
    static void clusterInfo(ObjectNode cluster, ClusterStatus status) {
        cluster.put("node", status.self());
        cluster.put("term", status.term());
        status.leader().ifPresent(l -> cluster.put("leader", l.id()));
        cluster.put("commitIndex", status.commitIndex());
        cluster.put("appliedIndex", status.appliedIndex());
        cluster.put("headPosition", status.headPosition());
        var members = cluster.putArray("members");
        for (ClusterStatus.Member m : status.members()) {
            ObjectNode member = members.addObject();
            member.put("id", m.member().id());
            member.put("host", m.member().host());
            member.put("clientPort", m.member().clientPort());
            member.put("raftPort", m.member().raftPort());
            member.put("role", role(m.role()));
            member.put("alive", m.alive());
            if (m.commitIndex() >= 0) {
                member.put("commitIndex", m.commitIndex());
            }
            if (m.lagEntries() >= 0) {
                member.put("lagEntries", m.lagEntries());
            }
        }
        var elections = cluster.putArray("elections");
        for (ClusterStatus.Election e : status.elections()) {
            ObjectNode election = elections.addObject();
            election.put("at", e.at().toString());
            election.put("term", e.term());
            election.put("leader", e.leader());
        }
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
