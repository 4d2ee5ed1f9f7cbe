package io.factum.api.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A small, strict RFC 8259 JSON reader and writer, so that {@code factum-api} needs no JSON library.
 *
 * <p>{@link #parse} maps JSON to Java as follows, and never returns Java {@code null}:
 *
 * <ul>
 *   <li>object: a {@link LinkedHashMap}{@code <String, Object>} in document order; a duplicate key
 *       is an error (RFC 8259 leaves it undefined, and silently keeping one value hides mistakes);
 *   <li>array: a {@link List}{@code <Object>};
 *   <li>string: {@link String}; a lone surrogate (raw or escaped) is an error, so every parsed string
 *       can be encoded as UTF-8;
 *   <li>number: a {@link Long} when it has no fraction or exponent and fits in a long ({@code -0}
 *       becomes {@code 0L}); otherwise a {@link BigDecimal}, exact and never rounded, whose {@code
 *       toString()} the writer emits, so that {@code parse(write(parse(t)))} equals {@code parse(t)};
 *   <li>{@code true}/{@code false}: {@link Boolean}; {@code null}: the sentinel {@link #NULL}.
 * </ul>
 *
 * <p>Strictness: only the four RFC whitespace characters; no comments, single quotes, unquoted keys,
 * trailing commas, leading zeros, {@code NaN} or {@code Infinity}; nothing may follow the value.
 * One leading byte order mark (U+FEFF) is skipped, as KurrentDB's reader (a .NET {@code
 * StreamReader}) does and RFC 8259 section 8.1 permits. Nesting deeper than {@link #MAX_DEPTH} is an
 * error, which bounds the recursion; the size of the input is the caller's limit to enforce.
 *
 * <p>{@link #write} produces compact JSON (no whitespace) from the same types, and also accepts
 * {@link Integer}, {@link Short}, {@link Byte}, {@link BigInteger} and finite {@link Double} and
 * {@link Float}. Maps must have {@link String} keys; their order is kept, so output is deterministic.
 *
 * <p>Stateless and thread-safe. Errors are {@link JsonException}s.
 */
public final class Json {
    /** Deepest nesting of arrays and objects accepted by the reader and the writer. */
    public static final int MAX_DEPTH = 64;

    /** The type of {@link #NULL}. */
    public enum Null {
        INSTANCE;

        @Override
        public String toString() {
            return "null";
        }
    }

    /** JSON {@code null}; the reader returns it wherever the text says {@code null}. */
    public static final Null NULL = Null.INSTANCE;

    private Json() {}

    /** Parses a JSON text. */
    public static Object parse(String text) {
        return new Parser(text).parseDocument();
    }

    /** Parses UTF-8 JSON bytes; malformed UTF-8 is an error at its byte offset. */
    public static Object parse(byte[] utf8) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(utf8);
        // UTF-8 never yields more UTF-16 chars than it has bytes.
        CharBuffer out = CharBuffer.allocate(utf8.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new JsonException("malformed UTF-8 at byte offset " + in.position(), in.position());
        }
        decoder.flush(out);
        return parse(out.flip().toString());
    }

    /** Writes a value as compact JSON. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private static void write(@Nullable Object value, StringBuilder out, int depth) {
        switch (value) {
            case null -> throw new JsonException("cannot write Java null; use Json.NULL", -1);
            case Null n -> out.append("null");
            case Boolean b -> out.append(b.booleanValue());
            case String s -> writeString(s, out);
            case Long l -> out.append(l.longValue());
            case Integer i -> out.append(i.intValue());
            case Short s -> out.append(s.shortValue());
            case Byte b -> out.append(b.byteValue());
            case BigInteger b -> out.append(b);
            case BigDecimal d -> out.append(d);
            case Double d when Double.isFinite(d) -> out.append(d.doubleValue());
            case Float f when Float.isFinite(f) -> out.append(f.floatValue());
            case Double d -> throw new JsonException("cannot write " + d + ": JSON has no such number", -1);
            case Float f -> throw new JsonException("cannot write " + f + ": JSON has no such number", -1);
            case Map<?, ?> map -> writeObject(map, out, enter(depth));
            case List<?> list -> writeArray(list, out, enter(depth));
            default ->
                throw new JsonException("cannot write a " + value.getClass().getName() + " as JSON", -1);
        }
    }

    private static int enter(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new JsonException("cannot write nesting deeper than " + MAX_DEPTH, -1);
        }
        return depth + 1;
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new JsonException("cannot write an object key that is not a String: " + entry.getKey(), -1);
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(key, out);
            out.append(':');
            write(entry.getValue(), out, depth);
        }
        out.append('}');
    }

    private static void writeArray(List<?> list, StringBuilder out, int depth) {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            write(list.get(i), out, depth);
        }
        out.append(']');
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new JsonException(
                                "cannot write a string with a lone surrogate U+%04X at index %d".formatted((int) c, i),
                                -1);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A recursive-descent parser over one text; recursion is bounded by {@link #MAX_DEPTH}. */
    private static final class Parser {
        private final String text;
        private int pos;
        private int depth;

        Parser(String text) {
            this.text = text;
        }

        Object parseDocument() {
            if (text.startsWith("\uFEFF")) {
                pos = 1;
            }
            Object value = value();
            skipWhitespace();
            if (pos < text.length()) {
                throw expected("end of input");
            }
            return value;
        }

        private Object value() {
            skipWhitespace();
            char c = pos < text.length() ? text.charAt(pos) : 0;
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw expected("a value");
                }
            };
        }

        private Map<String, Object> object() {
            open();
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (consume('}')) {
                depth--;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw expected("a string key");
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                if (!consume(':')) {
                    throw expected("':'");
                }
                if (map.putIfAbsent(key, value()) != null) {
                    throw new JsonException("duplicate key " + quoted(key), keyAt);
                }
                skipWhitespace();
                if (consume('}')) {
                    depth--;
                    return map;
                }
                if (!consume(',')) {
                    throw expected("',' or '}'");
                }
            }
        }

        private List<Object> array() {
            open();
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (consume(']')) {
                depth--;
                return list;
            }
            while (true) {
                list.add(value());
                skipWhitespace();
                if (consume(']')) {
                    depth--;
                    return list;
                }
                if (!consume(',')) {
                    throw expected("',' or ']'");
                }
            }
        }

        private void open() {
            if (depth == MAX_DEPTH) {
                throw new JsonException("nesting deeper than " + MAX_DEPTH + " arrays and objects", pos);
            }
            depth++;
            pos++;
        }

        private String string() {
            pos++; // the opening quote
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw expected("'\"' closing the string");
                }
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return out.toString();
                } else if (c == '\\') {
                    escape(out);
                } else if (c < 0x20) {
                    throw new JsonException(
                            "control character U+%04X in a string must be escaped".formatted((int) c), pos);
                } else if (Character.isSurrogate(c)) {
                    if (!Character.isHighSurrogate(c)
                            || pos + 1 >= text.length()
                            || !Character.isLowSurrogate(text.charAt(pos + 1))) {
                        throw new JsonException("lone surrogate U+%04X in a string".formatted((int) c), pos);
                    }
                    out.append(c).append(text.charAt(pos + 1));
                    pos += 2;
                } else {
                    out.append(c);
                    pos++;
                }
            }
        }

        private void escape(StringBuilder out) {
            int at = pos;
            pos++; // the backslash
            char c = pos < text.length() ? text.charAt(pos) : 0;
            pos++;
            switch (c) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> unicodeEscape(out, at);
                default ->
                    throw new JsonException(
                            "invalid escape; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, found "
                                    + describe(at + 1),
                            at);
            }
        }

        /** Reads the four hex digits of a unicode escape and, for a high surrogate, its low partner. */
        private void unicodeEscape(StringBuilder out, int at) {
            char c = (char) hex4();
            if (Character.isHighSurrogate(c) && text.startsWith("\\u", pos)) {
                pos += 2;
                char low = (char) hex4();
                if (Character.isLowSurrogate(low)) {
                    out.append(c).append(low);
                    return;
                }
            }
            if (Character.isSurrogate(c)) {
                throw new JsonException("lone surrogate \\u%04x in a string".formatted((int) c), at);
            }
            out.append(c);
        }

        private int hex4() {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
                if (digit < 0) {
                    throw expected("a hex digit of a \\u escape");
                }
                value = value * 16 + digit;
                pos++;
            }
            return value;
        }

        private Object number() {
            int start = pos;
            consume('-');
            if (!consume('0')) {
                digits("a digit");
            }
            boolean integral = true;
            if (consume('.')) {
                integral = false;
                digits("a digit after '.'");
            }
            if (consume('e') || consume('E')) {
                integral = false;
                if (!consume('+')) {
                    consume('-');
                }
                digits("a digit of the exponent");
            }
            String number = text.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(number);
                } catch (NumberFormatException tooBig) {
                    // Falls through: integers beyond a long are kept exactly as BigDecimals.
                }
            }
            try {
                return new BigDecimal(number);
            } catch (NumberFormatException | ArithmeticException e) {
                // BigDecimal's exponent is an int: 1e99999999999 has no representation.
                throw new JsonException("number " + abbreviate(number) + " is out of range", start);
            }
        }

        private void digits(String what) {
            int start = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == start) {
                throw expected(what);
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw expected("a value");
            }
            pos += word.length();
            return value;
        }

        private void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private boolean consume(char c) {
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private JsonException expected(String what) {
            return new JsonException("expected " + what + ", found " + describe(pos), pos);
        }

        private String describe(int at) {
            if (at >= text.length()) {
                return "end of input";
            }
            char c = text.charAt(at);
            return c >= 0x20 && c < 0x7f ? "'" + c + "'" : "U+%04X".formatted((int) c);
        }
    }

    private static String quoted(String s) {
        return "\"" + abbreviate(s) + "\"";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
