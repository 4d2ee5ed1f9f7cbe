package io.factum.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.factum.api.Subscription;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.function.Function;

/** What a route answers: a complete response, or an event stream that takes over the connection. */
sealed interface HttpReply {

    /** A JSON document. */
    record Json(HttpResponseStatus status, JsonNode body, Map<String, String> headers) implements HttpReply {
        Json(HttpResponseStatus status, JsonNode body) {
            this(status, body, Map.of());
        }
    }

    /** A text document (Prometheus metrics). */
    record Text(HttpResponseStatus status, String contentType, String body) implements HttpReply {}

    /**
     * A Server-Sent Events stream. The dispatcher creates the session and calls {@code subscribe};
     * if that throws (a tombstoned stream...), the error is answered as an ordinary response.
     */
    record EventStream(Function<SseSession, Subscription> subscribe, boolean toAll) implements HttpReply {}
}
