package io.factum.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Turns replies into Netty responses: content type and length, keep-alive, extra headers. */
final class HttpResponses {

    static final String JSON_TYPE = "application/json";

    /** Documents are indented: they are read by people with curl as much as by programs. */
    private static final ObjectWriter PRETTY = JsonMapper.builder()
            .build()
            .writer(new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"))
                    .withSeparators(
                            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private HttpResponses() {}

    static FullHttpResponse of(HttpReply reply, boolean keepAlive) {
        return switch (reply) {
            case HttpReply.Json json ->
                build(json.status().code(), JSON_TYPE, jsonBytes(json), json.headers(), keepAlive);
            case HttpReply.Text text ->
                build(
                        text.status().code(),
                        text.contentType(),
                        text.body().getBytes(StandardCharsets.UTF_8),
                        Map.of(),
                        keepAlive);
            case HttpReply.EventStream s -> throw new IllegalArgumentException("an event stream is not a document");
        };
    }

    private static byte[] jsonBytes(HttpReply.Json json) {
        try {
            byte[] body = PRETTY.writeValueAsBytes(json.body());
            byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
            withNewline[body.length] = '\n'; // so that a shell prompt after curl starts on its own line
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree did not write", e);
        }
    }

    private static FullHttpResponse build(
            int status, String contentType, byte[] body, Map<String, String> headers, boolean keepAlive) {
        var response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        headers.forEach((name, value) -> response.headers().set(name, value));
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
