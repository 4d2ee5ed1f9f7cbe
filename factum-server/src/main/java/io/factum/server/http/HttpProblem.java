package io.factum.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.Optional;

/**
 * A request the HTTP API refuses, with everything its error response says: the status, a stable
 * error name, a message for people, and the request field at fault when there is one.
 */
final class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;
    private final String error;
    private final transient Optional<String> field;
    private final transient Map<String, String> headers;

    HttpProblem(HttpResponseStatus status, String error, String message, Optional<String> field) {
        this(status, error, message, field, Map.of());
    }

    HttpProblem(
            HttpResponseStatus status,
            String error,
            String message,
            Optional<String> field,
            Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
        this.field = field;
        this.headers = Map.copyOf(headers);
    }

    /** 400 for a bad value of a named request field (a parameter, header or body member). */
    static HttpProblem badRequest(String field, String message) {
        return new HttpProblem(HttpResponseStatus.BAD_REQUEST, "invalid-argument", message, Optional.of(field));
    }

    static HttpProblem notFound(String error, String message) {
        return new HttpProblem(HttpResponseStatus.NOT_FOUND, error, message, Optional.empty());
    }

    HttpResponseStatus status() {
        return status;
    }

    String error() {
        return error;
    }

    Optional<String> field() {
        return field;
    }

    /** Extra response headers (WWW-Authenticate, Allow). */
    Map<String, String> headers() {
        return headers;
    }
}
