package io.factum.cli;

import io.factum.api.Query;
import io.factum.api.QueryItem;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's text form of a {@link Query}: items separated by {@code ;}, the terms of an
 * item by {@code ,}, each term {@code type=TYPE} or {@code tag=TAG}. An item matches an event of
 * any of its types (any type when it names none) that carries all of its tags; the query matches
 * when any item does. {@code \} makes the next character literal, for a tag that holds {@code ,},
 * {@code ;} or {@code \}. Spaces around terms are ignored.
 *
 * <pre>
 *   type=CourseDefined,tag=course:7                      one item: a type and a tag
 *   tag=course:7;tag=student:3                           two items: either tag
 *   type=Enrolled,type=Left,tag=student:3                Enrolled or Left, tagged student:3
 * </pre>
 *
 * Stateless and thread-safe.
 */
final class QuerySyntax {

    static final String HELP = "Items separated by ';', terms by ',': type=TYPE or tag=TAG"
            + " (e.g. 'type=Enrolled,tag=course:7;tag=student:3'); an item matches any of its types and all"
            + " of its tags, the query any of its items; '\\' makes the next character literal.";

    private QuerySyntax() {}

    /**
     * @throws IllegalArgumentException naming the bad item or term
     */
    static Query parse(String text) {
        List<QueryItem> items = new ArrayList<>();
        List<String> itemTexts = split(text, ';');
        for (int i = 0; i < itemTexts.size(); i++) {
            items.add(item(itemTexts.get(i), i + 1));
        }
        return new Query(items);
    }

    private static QueryItem item(String text, int number) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("item " + number + " is empty (name a type=TYPE or a tag=TAG)");
        }
        List<String> types = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (String raw : split(text, ',')) {
            String term = raw.strip();
            if (term.isEmpty()) {
                throw new IllegalArgumentException(
                        "item " + number + " has an empty term (expected type=TYPE or tag=TAG between commas)");
            }
            int equals = term.indexOf('=');
            String key = equals < 0 ? term : term.substring(0, equals).strip();
            String value = equals < 0 ? "" : unescape(term.substring(equals + 1).strip());
            List<String> target =
                    switch (key) {
                        case "type" -> types;
                        case "tag" -> tags;
                        default ->
                            throw new IllegalArgumentException(
                                    "term '" + unescape(term) + "' in item " + number + " is not type=TYPE or tag=TAG");
                    };
            if (equals < 0 || value.isEmpty()) {
                throw new IllegalArgumentException(
                        "term '" + unescape(term) + "' in item " + number + " has no value after " + key + "=");
            }
            target.add(value);
        }
        return new QueryItem(types, tags);
    }

    /** Splits at unescaped {@code separator}s, keeping escapes for the next level. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                if (i + 1 == text.length()) {
                    throw new IllegalArgumentException(
                            "the query ends with a lone '\\' (write '\\\\' for a backslash)");
                }
                part.append(c).append(text.charAt(++i));
            } else if (c == separator) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c == '\\' && i + 1 < text.length() ? text.charAt(++i) : c);
        }
        return out.toString();
    }

    /** For picocli: its message becomes "Invalid value for ...: message". */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Query> {
        @Override
        public Query convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "invalid query '" + value + "': " + e.getMessage());
            }
        }
    }
}
