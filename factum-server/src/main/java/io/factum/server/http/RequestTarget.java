package io.factum.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request target split into decoded path segments and query parameters. Decoding is strict: a
 * malformed escape or bytes that are not UTF-8 are a 400, never a guess. A {@code +} stays a plus
 * sign (it means a space only in HTML forms), so regular expressions can be typed as they are.
 *
 * @param segments the path's segments, decoded; {@code /streams/a%2Fb} has {@code streams}, {@code a/b}
 * @param query the parameters in order of first appearance, each with all of its values
 */
record RequestTarget(List<String> segments, Map<String, List<String>> query) {

    static RequestTarget parse(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String rawQuery = q < 0 ? "" : uri.substring(q + 1);
        int hash = rawQuery.indexOf('#');
        if (hash >= 0) {
            rawQuery = rawQuery.substring(0, hash);
        }
        if (!path.startsWith("/")) {
            throw HttpProblem.badRequest("path", "the request target must start with '/'");
        }
        List<String> segments = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            segments.add(decode(raw, "path"));
        }
        if (!segments.isEmpty() && segments.getLast().isEmpty()) {
            segments.removeLast(); // a trailing slash names the same resource
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (!rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
                query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return new RequestTarget(List.copyOf(segments), query);
    }

    /**
     * Percent-decodes one component, whose characters are the bytes as sent (Netty decodes the
     * request line as ISO-8859-1); {@code field} names it in errors.
     */
    static String decode(String raw, String field) {
        if (raw.indexOf('%') < 0 && raw.chars().allMatch(c -> c < 0x80)) {
            return raw;
        }
        var bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                // Netty reads the request line as ISO-8859-1: one char per byte sent.
                bytes.write(c & 0xff);
                continue;
            }
            if (i + 2 >= raw.length() || hex(raw.charAt(i + 1)) < 0 || hex(raw.charAt(i + 2)) < 0) {
                throw HttpProblem.badRequest(
                        field, field + ": malformed percent-escape at index " + i + " of '" + abbreviate(raw) + "'");
            }
            bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpProblem.badRequest(field, field + ": '" + abbreviate(raw) + "' does not decode to UTF-8");
        }
    }

    /** Percent-encodes a path segment, leaving unreserved characters and {@code $} as they are. */
    static String encodeSegment(String segment) {
        var out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~$".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
