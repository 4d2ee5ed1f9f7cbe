package io.factum.server.http;

import io.factum.api.EventFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The {@code $all} filter parameters: {@code streamPrefix} or {@code typePrefix} (repeat for several
 * prefixes), or {@code streamRegex} or {@code typeRegex}; one kind at most, as the store filters on
 * one thing at a time.
 */
final class FilterParams {

    static final Set<String> NAMES = Set.of("streamPrefix", "typePrefix", "streamRegex", "typeRegex");

    private FilterParams() {}

    static EventFilter of(QueryParams query) {
        List<String> given = new ArrayList<>();
        for (String name : List.of("streamPrefix", "typePrefix", "streamRegex", "typeRegex")) {
            if (query.has(name)) {
                given.add(name);
            }
        }
        if (given.isEmpty()) {
            return EventFilter.none();
        }
        if (given.size() > 1) {
            throw HttpProblem.badRequest(given.get(1), "only one filter at a time; got " + String.join(" and ", given));
        }
        String name = given.getFirst();
        return switch (name) {
            case "streamPrefix" -> new EventFilter.StreamNamePrefix(prefixes(query, name));
            case "typePrefix" -> new EventFilter.EventTypePrefix(prefixes(query, name));
            case "streamRegex" -> new EventFilter.StreamNameRegex(regex(query, name));
            default -> new EventFilter.EventTypeRegex(regex(query, name));
        };
    }

    /** The filter parameters as given, for next-page links. */
    static Map<String, List<String>> echo(QueryParams query) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : List.of("streamPrefix", "typePrefix", "streamRegex", "typeRegex")) {
            if (query.has(name)) {
                out.put(name, query.all(name));
            }
        }
        return out;
    }

    private static List<String> prefixes(QueryParams query, String name) {
        List<String> prefixes = query.all(name);
        if (prefixes.stream().anyMatch(String::isEmpty)) {
            throw HttpProblem.badRequest(name, name + ": a prefix must not be empty");
        }
        return prefixes;
    }

    private static Pattern regex(QueryParams query, String name) {
        String text = query.single(name).orElseThrow();
        if (text.isEmpty()) {
            throw HttpProblem.badRequest(name, name + ": the regular expression must not be empty");
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw HttpProblem.badRequest(
                    name,
                    name + ": '" + RequestTarget.abbreviate(text) + "' is not a valid regular expression: "
                            + e.getDescription());
        }
    }
}
