package io.factum.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.AccessDeniedException;
import io.factum.api.AppendConditionFailedException;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreClosedException;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.server.security.AuthenticationException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Map;
import java.util.Optional;

/**
 * Every failure as one JSON shape: {@code {"error": name, "message": text}}, plus {@code field} when
 * a request field is at fault and the details of the error (stream, versions). Store errors keep
 * their meaning: a conflict is 409, a tombstoned stream 410, bad input 400, a closed store 503.
 */
final class HttpErrors {

    /** The challenge sent with every 401. */
    static final String CHALLENGE = "Basic realm=\"factum\", charset=\"UTF-8\"";

    private final JsonEvents json;

    HttpErrors(JsonEvents json) {
        this.json = json;
    }

    /**
     * @param hadCredentials whether the request carried an Authorization header: a denial for an
     *     anonymous caller is a 401 (log in and retry), for a known one a 403
     */
    HttpReply.Json reply(Throwable error, boolean hadCredentials) {
        HttpProblem problem = problem(error, hadCredentials);
        ObjectNode body = json.object();
        body.put("error", problem.error());
        body.put("message", problem.getMessage());
        problem.field().ifPresent(field -> body.put("field", field));
        details(error, body);
        return new HttpReply.Json(problem.status(), body, problem.headers());
    }

    /** The JSON body alone, for an event stream's error event. */
    ObjectNode body(Throwable error) {
        HttpReply.Json reply = reply(error, true);
        return (ObjectNode) reply.body();
    }

    static HttpProblem problem(Throwable error, boolean hadCredentials) {
        return switch (error) {
            case HttpProblem p -> p;
            case WrongExpectedVersionException w ->
                new HttpProblem(
                        HttpResponseStatus.CONFLICT, "wrong-expected-version", w.getMessage(), Optional.empty());
            case AppendConditionFailedException c ->
                new HttpProblem(
                        HttpResponseStatus.CONFLICT, "append-condition-failed", c.getMessage(), Optional.empty());
            case StreamDeletedException d ->
                new HttpProblem(HttpResponseStatus.GONE, "stream-deleted", d.getMessage(), Optional.empty());
            case InvalidInputException i -> HttpProblem.badRequest(i.field(), i.getMessage());
            case AccessDeniedException a -> denied(a.getMessage(), hadCredentials);
            case AuthenticationException a -> unauthenticated(a.getMessage());
            case StoreClosedException c -> unavailable("the store is closed: " + c.getMessage());
            case StoreFailedException f ->
                unavailable(f.getMessage()); // it says what failed and whether reads still work
            case TooLongHttpLineException t ->
                new HttpProblem(
                        HttpResponseStatus.REQUEST_URI_TOO_LONG,
                        "uri-too-long",
                        "the request line is longer than " + HttpPipeline.MAX_REQUEST_LINE_BYTES + " bytes",
                        Optional.empty());
            case TooLongHttpHeaderException t ->
                new HttpProblem(
                        HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "headers-too-large",
                        "the request headers are larger than " + HttpPipeline.MAX_HEADER_BYTES + " bytes",
                        Optional.empty());
            case TooLongFrameException t ->
                new HttpProblem(
                        HttpResponseStatus.BAD_REQUEST,
                        "malformed-request",
                        "the request is not valid HTTP/1.1: " + t.getMessage(),
                        Optional.empty());
            case IllegalArgumentException e ->
                new HttpProblem(HttpResponseStatus.BAD_REQUEST, "invalid-argument", e.getMessage(), Optional.empty());
            default ->
                new HttpProblem(
                        HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "internal",
                        "internal error: " + error.getClass().getSimpleName(),
                        Optional.empty());
        };
    }

    static HttpProblem unauthenticated(String message) {
        return new HttpProblem(
                HttpResponseStatus.UNAUTHORIZED,
                "unauthenticated",
                message,
                Optional.empty(),
                Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), CHALLENGE));
    }

    static HttpProblem unavailable(String message) {
        return new HttpProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable", message, Optional.empty());
    }

    private static HttpProblem denied(String message, boolean hadCredentials) {
        if (!hadCredentials) {
            return new HttpProblem(
                    HttpResponseStatus.UNAUTHORIZED,
                    "access-denied",
                    message + " (no credentials were sent)",
                    Optional.empty(),
                    Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), CHALLENGE));
        }
        return new HttpProblem(HttpResponseStatus.FORBIDDEN, "access-denied", message, Optional.empty());
    }

    /** The machine-readable details of the store errors that have them. */
    private static void details(Throwable error, ObjectNode body) {
        switch (error) {
            case WrongExpectedVersionException w -> {
                body.put("stream", w.stream());
                if (w.expected() instanceof ExpectedVersion.Exact exact) {
                    body.put("expectedVersion", exact.version());
                } else {
                    body.put("expectedVersion", ExpectedVersionHeaders.describe(w.expected()));
                }
                if (w.actualVersion() == ExpectedVersion.NO_STREAM_VERSION) {
                    body.put("actualVersion", "no-stream");
                } else {
                    body.put("actualVersion", w.actualVersion());
                }
            }
            case StreamDeletedException d -> body.put("stream", d.stream());
            case AppendConditionFailedException c -> body.put("conflictingPosition", c.conflictingPosition());
            default -> {}
        }
    }
}
