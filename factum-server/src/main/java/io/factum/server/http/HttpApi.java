package io.factum.server.http;

import io.factum.api.SystemNames;
import io.factum.server.append.AppendGate;
import io.factum.server.metrics.MetricsExporter;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AuthenticationException;
import io.factum.server.security.Principal;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The HTTP/JSON API: routes a request to its handler, authenticates it as gRPC does (the {@code
 * Authorization} header through the same {@link io.factum.server.security.Authenticator}), and turns
 * every failure into the one JSON error shape. Health endpoints are always anonymous; {@code /info}
 * and {@code /metrics} need a user when authentication is required; stream operations ask the
 * {@link io.factum.server.security.AccessPolicy}. Called on virtual threads. Thread-safe.
 */
public final class HttpApi {

    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());

    private final ApiContext context;
    private final JsonEvents json = new JsonEvents();
    private final HttpErrors errors = new HttpErrors(json);
    private final StreamRoutes streams;
    private final DcbRoutes dcb;
    private final AllRoutes all;
    private final LiveRoutes live;
    private final OpsRoutes ops;
    private final ClusterRoutes clusterRoutes;

    /** False once the server is stopping. */
    boolean serving() {
        return context.serving().getAsBoolean();
    }

    public HttpApi(ApiContext context, MetricsExporter exporter) {
        this.context = context;
        var pages = new Pages(json, context.store().limits());
        var gate = new AppendGate(context.store(), context.security().policy(), context.metrics());
        this.streams = new StreamRoutes(context, gate, json, pages);
        this.dcb = new DcbRoutes(context, gate, json, pages);
        this.all = new AllRoutes(context, json, pages);
        this.live = new LiveRoutes(context);
        this.ops = new OpsRoutes(context, json, exporter);
        this.clusterRoutes = new ClusterRoutes(context, json);
    }

    Executor executor() {
        return context.executor();
    }

    ServerMetrics metrics() {
        return context.metrics();
    }

    JsonEvents json() {
        return json;
    }

    HttpErrors errors() {
        return errors;
    }

    /** Answers a request; never throws: failures become JSON error replies. */
    HttpReply handle(HttpCall call) {
        try {
            if (call.malformed().isPresent()) {
                throw malformed(call.malformed().get());
            }
            return route(call);
        } catch (Throwable e) {
            return errorReply(e, call);
        }
    }

    /** What the codec could not parse: a size limit (414, 431) or anything else (400). */
    private static Throwable malformed(Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            return cause;
        }
        return new HttpProblem(
                HttpResponseStatus.BAD_REQUEST,
                "malformed-request",
                "the request is not valid HTTP/1.1: " + cause.getMessage(),
                Optional.empty());
    }

    HttpReply.Json errorReply(Throwable error, HttpCall call) {
        HttpReply.Json reply =
                errors.reply(error, call.header(HttpHeaderNames.AUTHORIZATION).isPresent());
        if (reply.status().code() >= 500) {
            LOG.log(
                    Level.WARNING,
                    "HTTP " + call.method() + " " + RequestTarget.abbreviate(call.uri()) + " failed",
                    error);
        }
        return reply;
    }

    private HttpReply route(HttpCall call) {
        RequestTarget target = RequestTarget.parse(call.uri());
        List<String> path = target.segments();
        var query = new QueryParams(target.query());
        if (path.isEmpty()) {
            allow(call, "GET");
            return ops.root(query);
        }
        return switch (path.getFirst()) {
            case "health" -> health(call, path, query);
            case "info" -> {
                exact(path, 1);
                allow(call, "GET");
                user(call);
                yield ops.info(query);
            }
            case "metrics" -> {
                exact(path, 1);
                allow(call, "GET");
                user(call);
                yield ops.metrics(query);
            }
            case "streams" -> streams(call, path, query);
            case "dcb" -> dcb(call, path, query);
            case "cluster" -> cluster(call, path, query);
            default -> throw noRoute(call);
        };
    }

    private HttpReply cluster(HttpCall call, List<String> path, QueryParams query) {
        if (path.size() == 1) {
            allow(call, "GET");
            user(call);
            return clusterRoutes.status(query);
        }
        if (!path.get(1).equals("members") || path.size() > 3) {
            throw noRoute(call);
        }
        if (path.size() == 2) {
            allow(call, "POST");
            return clusterRoutes.add(call, query, user(call));
        }
        allow(call, "DELETE");
        return clusterRoutes.remove(path.get(2), query, user(call));
    }

    private HttpReply health(HttpCall call, List<String> path, QueryParams query) {
        exact(path, 2);
        allow(call, "GET");
        return switch (path.get(1)) {
            case "live" -> ops.live(query);
            case "ready" -> ops.ready(query);
            default -> throw noRoute(call);
        };
    }

    private HttpReply streams(HttpCall call, List<String> path, QueryParams query) {
        if (path.size() < 2 || path.size() > 3) {
            throw noRoute(call);
        }
        String stream = path.get(1);
        boolean toAll = stream.equals(SystemNames.ALL);
        if (path.size() == 2) {
            if (toAll) {
                allow(call, "GET");
                return all.read(query, user(call));
            }
            return switch (allow(call, "GET", "POST", "DELETE")) {
                case "GET" -> streams.read(stream, query, user(call));
                case "POST" -> streams.append(call, stream, query, user(call));
                default -> streams.delete(call, stream, query, user(call));
            };
        }
        String sub = path.get(2);
        if (sub.equals("live")) {
            allow(call, "GET");
            return toAll ? live.all(call, query, user(call)) : live.stream(call, stream, query, user(call));
        }
        if (toAll) {
            throw noRoute(call);
        }
        if (sub.equals("metadata")) {
            return switch (allow(call, "GET", "PUT")) {
                case "GET" -> streams.metadata(stream, query, user(call));
                default -> streams.setMetadata(call, stream, query, user(call));
            };
        }
        allow(call, "GET");
        return streams.event(stream, sub, query, user(call));
    }

    private HttpReply dcb(HttpCall call, List<String> path, QueryParams query) {
        exact(path, 2);
        return switch (path.get(1)) {
            case "read" -> {
                allow(call, "POST");
                yield dcb.read(call, query, user(call));
            }
            case "live" -> {
                allow(call, "GET");
                yield dcb.live(call, query, user(call));
            }
            case "append" -> {
                allow(call, "POST");
                yield dcb.append(call, query, user(call));
            }
            default -> throw noRoute(call);
        };
    }

    /**
     * The caller. Wrong credentials are a 401 everywhere; no credentials is a 401 only when the
     * server requires authentication (otherwise the access policy decides what anonymous may do).
     */
    private Principal user(HttpCall call) {
        Optional<String> authorization = call.header(HttpHeaderNames.AUTHORIZATION);
        Principal who;
        try {
            who = context.security().authenticator().authenticate(authorization.orElse(null));
        } catch (AuthenticationException e) {
            throw HttpErrors.unauthenticated(e.getMessage());
        }
        if (context.security().required() && who instanceof Principal.Anonymous) {
            throw HttpErrors.unauthenticated("authentication is required; send an Authorization: Basic header");
        }
        return who;
    }

    /** The method, when it is one of {@code allowed}; otherwise a 405 naming them. */
    private static String allow(HttpCall call, String... allowed) {
        for (String method : allowed) {
            if (method.equals(call.method())) {
                return method;
            }
        }
        String list = String.join(", ", allowed);
        throw new HttpProblem(
                HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method-not-allowed",
                call.method() + " is not allowed on " + RequestTarget.abbreviate(pathOf(call)) + " (allowed: " + list
                        + ")",
                Optional.empty(),
                Map.of(HttpHeaderNames.ALLOW.toString(), list));
    }

    private static void exact(List<String> path, int size) {
        if (path.size() != size) {
            throw HttpProblem.notFound("not-found", "no such resource: /" + String.join("/", path));
        }
    }

    private static HttpProblem noRoute(HttpCall call) {
        return HttpProblem.notFound("not-found", "no such resource: " + RequestTarget.abbreviate(pathOf(call)));
    }

    private static String pathOf(HttpCall call) {
        int q = call.uri().indexOf('?');
        return q < 0 ? call.uri() : call.uri().substring(0, q);
    }
}
