package io.factum.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.InvalidInputException;
import io.factum.cluster.ClusterMember;
import io.factum.cluster.ClusterNode;
import io.factum.server.metrics.StoreState;
import io.factum.server.security.Principal;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /cluster}: the node's view of its cluster (GET), adding a member (POST {@code
 * /cluster/members} with {@code {"member": "n4=HOST:CLIENT_PORT:RAFT_PORT"}}) and removing one
 * (DELETE {@code /cluster/members/ID}). Changes are administration; any node takes them and Raft
 * carries them to the leader. A server that is not a cluster node answers 404.
 */
final class ClusterRoutes {
    private final ApiContext context;
    private final JsonEvents json;

    ClusterRoutes(ApiContext context, JsonEvents json) {
        this.context = context;
        this.json = json;
    }

    private ClusterNode node() {
        return StoreState.cluster(context.store())
                .orElseThrow(() -> HttpProblem.notFound(
                        "not-a-cluster", "this server is a single node: start it with --node and --cluster"));
    }

    HttpReply status(QueryParams query) {
        query.allowOnly(Set.of());
        ObjectNode body = json.object();
        OpsRoutes.clusterInfo(body, node().status());
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    HttpReply add(HttpCall call, QueryParams query, Principal who) {
        query.allowOnly(Set.of());
        context.security().policy().checkAdmin(who, "add a cluster member");
        JsonNode body = json.parse(call.body(), "body");
        JsonNode spec = body.path("member");
        if (!spec.isTextual()) {
            throw HttpProblem.badRequest(
                    "member", "give the new member as {\"member\": \"ID=HOST:CLIENT_PORT:RAFT_PORT\"}");
        }
        ClusterMember member = ClusterMember.parse(spec.asText());
        change(() -> node().addMember(member), "adding " + member.id());
        return changed("added", member.id());
    }

    HttpReply remove(String id, QueryParams query, Principal who) {
        query.allowOnly(Set.of());
        context.security().policy().checkAdmin(who, "remove a cluster member");
        change(() -> node().removeMember(id), "removing " + id);
        return changed("removed", id);
    }

    private HttpReply changed(String what, String id) {
        ObjectNode body = json.object();
        body.put(what, id);
        OpsRoutes.clusterInfo(body.putObject("cluster"), node().status());
        return new HttpReply.Json(HttpResponseStatus.OK, body);
    }

    private interface Change {
        void run() throws IOException;
    }

    private static void change(Change change, String what) {
        try {
            change.run();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("member", what, e.getMessage());
        } catch (IOException e) {
            throw new HttpProblem(
                    HttpResponseStatus.CONFLICT,
                    "membership-change-failed",
                    what + " failed: " + e.getMessage() + " (is a majority up? is another change running?)",
                    Optional.empty());
        } catch (io.factum.api.FactumException e) {
            throw e; // not the leader, closing...: answered as everywhere else
        } catch (RuntimeException e) {
            // Ratis' client fails some calls unchecked (a retry budget spent while a new member
            // copies the store). The change may still take effect: say so instead of closing the
            // connection without an answer.
            System.getLogger(ClusterRoutes.class.getName())
                    .log(System.Logger.Level.WARNING, what + " did not complete", e);
            throw new HttpProblem(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "membership-change-unconfirmed",
                    what + " was not confirmed: " + e + "; it may still take effect: check GET /cluster"
                            + " (factum cluster status) before trying again",
                    Optional.empty());
        }
    }
}
