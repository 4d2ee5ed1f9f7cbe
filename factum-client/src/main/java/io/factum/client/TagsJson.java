package io.factum.client;

import io.factum.protocol.FactumWire;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of {@link FactumWire#TAGS_PROPERTY}: an event's tags as a JSON array of strings, such as
 * {@code ["account:42","course:7"]}. The client only ever needs this one shape, so it reads it with
 * this small strict parser rather than a JSON library (the module has none). Stateless.
 */
final class TagsJson {

    private TagsJson() {}

    /** Compact JSON: the strings with {@code "}, {@code \} and control characters escaped. */
    static String write(List<String> tags) {
        StringBuilder out = new StringBuilder("[");
        for (String tag : tags) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"');
            for (int i = 0; i < tag.length(); i++) {
                char c = tag.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
        return out.append(']').toString();
    }

    /**
     * Reads a JSON array of strings.
     *
     * @throws io.factum.api.StoreFailedException when the text is anything else (the server broke
     *     the protocol)
     */
    static List<String> read(String json) {
        return new Parser(json).document();
    }

    /** A recursive-descent reader of exactly one array of strings. Not thread-safe. */
    private static final class Parser {
        private final String text;
        private int at;

        Parser(String text) {
            this.text = text;
        }

        List<String> document() {
            List<String> tags = new ArrayList<>();
            skipSpace();
            expect('[');
            skipSpace();
            if (peek() == ']') {
                at++;
            } else {
                while (true) {
                    skipSpace();
                    tags.add(string());
                    skipSpace();
                    char c = next();
                    if (c == ']') {
                        break;
                    }
                    if (c != ',') {
                        throw malformed("',' or ']'");
                    }
                }
            }
            skipSpace();
            if (at != text.length()) {
                throw malformed("the end of the text");
            }
            return List.copyOf(tags);
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw malformed("an escaped control character");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char escaped = next();
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(hex());
                    default -> throw malformed("an escape sequence");
                }
            }
        }

        private char hex() {
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(next(), 16);
                if (digit < 0) {
                    throw malformed("four hex digits");
                }
                value = value * 16 + digit;
            }
            return (char) value;
        }

        private void skipSpace() {
            while (at < text.length() && " \t\r\n".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private char next() {
            if (at >= text.length()) {
                throw malformed("more text");
            }
            return text.charAt(at++);
        }

        private void expect(char c) {
            if (next() != c) {
                at--;
                throw malformed("'" + c + "'");
            }
        }

        private RuntimeException malformed(String expected) {
            return WireCodec.protocol(FactumWire.TAGS_PROPERTY + " '" + text
                    + "', which is not a JSON array of strings (expected " + expected + " at offset " + at + ")");
        }
    }
}
