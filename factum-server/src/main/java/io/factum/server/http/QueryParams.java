package io.factum.server.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Typed, strict access to query parameters: unknown or repeated ones are a 400 naming them. */
final class QueryParams {

    private final Map<String, List<String>> values;

    QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    /** Refuses any parameter not in {@code allowed}, so a typo is an error rather than ignored. */
    QueryParams allowOnly(Set<String> allowed) {
        for (String name : values.keySet()) {
            if (!allowed.contains(name)) {
                String known = allowed.isEmpty() ? "this endpoint takes none" : "known: " + new TreeSet<>(allowed);
                throw HttpProblem.badRequest(
                        name, "unknown query parameter '" + RequestTarget.abbreviate(name) + "' (" + known + ")");
            }
        }
        return this;
    }

    Optional<String> single(String name) {
        List<String> all = values.getOrDefault(name, List.of());
        if (all.size() > 1) {
            throw HttpProblem.badRequest(name, name + ": given " + all.size() + " times, at most once allowed");
        }
        return all.stream().findFirst();
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** An integer between 1 and {@code max}, {@code fallback} when absent. */
    int count(String name, int fallback, int max) {
        Optional<String> text = single(name);
        if (text.isEmpty()) {
            return fallback;
        }
        long value = parseNonNegative(name, text.get());
        if (value < 1 || value > max) {
            throw HttpProblem.badRequest(name, name + ": " + value + " is not between 1 and " + max);
        }
        return (int) value;
    }

    /** {@code true} or {@code false}, {@code fallback} when absent. */
    boolean flag(String name, boolean fallback) {
        return single(name)
                .map(text -> switch (text) {
                    case "true", "" -> true;
                    case "false" -> false;
                    default ->
                        throw HttpProblem.badRequest(
                                name, name + ": '" + RequestTarget.abbreviate(text) + "' is not true or false");
                })
                .orElse(fallback);
    }

    static long parseNonNegative(String name, String text) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw HttpProblem.badRequest(
                    name,
                    name + ": '" + RequestTarget.abbreviate(text) + "' is not a non-negative integer up to "
                            + Long.MAX_VALUE);
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw HttpProblem.badRequest(
                    name, name + ": '" + RequestTarget.abbreviate(text) + "' is larger than " + Long.MAX_VALUE);
        }
    }
}
