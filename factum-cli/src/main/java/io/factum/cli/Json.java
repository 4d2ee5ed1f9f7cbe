package io.factum.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * JSON parsing and printing for the CLI. Numbers keep their exact decimal text (no detour through
 * {@code double}), so that printing an event never changes what it says. Thread-safe: the mapper is
 * configured once and only read afterwards.
 */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Jackson appends "at [Source: ...; line: 1, column: 2]" to some messages; we say it ourselves. */
    private static final Pattern SOURCE_SUFFIX =
            Pattern.compile("\\s*\\(?(?:start marker )?at \\[Source:[^\\]]*\\]\\)?");

    private Json() {}

    /**
     * Parses one JSON document.
     *
     * @param what names the input in the error message ("the data argument", "standard input")
     * @param firstLine the input's first line number, for inputs cut out of a larger text
     * @throws CliException (usage) naming the line and column of the first error
     */
    static JsonNode parse(String what, String text, int firstLine) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null
                    ? ""
                    : " at line " + (firstLine - 1 + Math.max(1, at.getLineNr())) + ", column "
                            + Math.max(1, at.getColumnNr());
            throw CliException.usage("malformed JSON in " + what + where + ": " + describe(e));
        }
        if (node == null || node.isMissingNode()) {
            throw CliException.usage("malformed JSON in " + what + ": the input is empty");
        }
        return node;
    }

    /** The node of {@code bytes} when they hold one well-formed JSON document. */
    static Optional<JsonNode> tryParse(byte[] bytes) {
        if (bytes.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One line of JSON text, without insignificant whitespace. */
    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // Writing a tree we built ourselves cannot fail short of a bug in Jackson.
            throw new IllegalStateException("cannot serialize a JSON tree", e);
        }
    }

    static byte[] compactBytes(JsonNode node) {
        return compact(node).getBytes(StandardCharsets.UTF_8);
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        if (message.startsWith("Trailing token")) {
            // Jackson names its own feature flag here; people need to know what is wrong with the text.
            return "unexpected text after the end of the JSON value";
        }
        String firstLine = message.lines().findFirst().orElse(message);
        return SOURCE_SUFFIX.matcher(firstLine).replaceAll("").strip();
    }
}
