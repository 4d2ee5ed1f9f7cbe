package io.factum.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValueKeepingKeyOrder() {
        Object value = Json.parse(" {\"z\":1,\"a\":[true,false,null],\"m\":{\"s\":\"x\"},\"d\":-1.5e3}\r\n\t");

        assertThat(value).isInstanceOf(LinkedHashMap.class);
        Map<?, ?> map = (Map<?, ?>) value;
        assertThat(List.copyOf(map.keySet())).isEqualTo(List.of("z", "a", "m", "d"));
        assertThat(map.get("z")).isEqualTo(1L);
        assertThat(map.get("a")).isEqualTo(List.of(true, false, Json.NULL));
        assertThat(map.get("m")).isEqualTo(Map.of("s", "x"));
        assertThat(map.get("d")).isEqualTo(new BigDecimal("-1.5e3"));
    }

    @Test
    void integersThatFitInALongAreLongsEverythingElseIsAnExactBigDecimal() {
        assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("-0")).isEqualTo(0L);
        assertThat(Json.parse("9223372036854775808")).isEqualTo(new BigDecimal("9223372036854775808"));
        assertThat(Json.parse("1.0")).isEqualTo(new BigDecimal("1.0"));
        assertThat(Json.parse("1E2")).isEqualTo(new BigDecimal("1E2"));
        assertThat(Json.parse("0.1")).isEqualTo(new BigDecimal("0.1"));
        assertThat(Json.write(Json.parse("[1.50,1e-7,2E+3,123456789012345678901234567890]")))
                .isEqualTo("[1.50,1E-7,2E+3,123456789012345678901234567890]");
    }

    @Test
    void decodesEveryEscape() {
        assertThat(Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u0000\\ud83d\\ude00\""))
                .isEqualTo("\"\\/\b\f\n\r\t\u00e9\u0000\ud83d\ude00");
        assertThat(Json.parse("\"raw \ud83d\ude00 \u00e9 \u4e2d\"")).isEqualTo("raw \ud83d\ude00 \u00e9 \u4e2d");
    }

    @Test
    void writerEscapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.write("a\"b\\c/\n\r\t\b\f\u0000\u001f\u007f\u00e9\ud83d\ude00"))
                .isEqualTo("\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0000\\u001f\u007f\u00e9\ud83d\ude00\"");
    }

    @Test
    void writesCompactDeterministicJsonFromJavaValues() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", List.of(1, (short) 2, (byte) 3, 4L, BigInteger.TEN, 0.5, 1.5f));
        map.put("a", Json.NULL);
        map.put("c", Map.of());
        map.put("d", List.of());
        map.put("e", false);

        assertThat(Json.write(map)).isEqualTo("{\"b\":[1,2,3,4,10,0.5,1.5],\"a\":null,\"c\":{},\"d\":[],\"e\":false}");
    }

    @Test
    void writerRejectsWhatJsonCannotRepresent() {
        assertThatThrownBy(() -> Json.write("x\ud800y"))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("lone surrogate U+D800 at index 1");
        assertThatThrownBy(() -> Json.write(Map.of("\udc00", 1))).hasMessageContaining("lone surrogate U+DC00");
        assertThatThrownBy(() -> Json.write("\ude00\ud83d")).hasMessageContaining("lone surrogate U+DE00");
        assertThatThrownBy(() -> Json.write(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Json.write(Float.POSITIVE_INFINITY)).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> Json.write(Map.of(1, 2))).hasMessageContaining("not a String");
        assertThatThrownBy(() -> Json.write(new Object())).hasMessageContaining("java.lang.Object");
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> Json.write(withNull)).hasMessageContaining("Java null");
        JsonException e = (JsonException) org.assertj.core.api.Assertions.catchThrowable(() -> Json.write(nested(65)));
        assertThat(e.getMessage()).contains("deeper than 64");
        assertThat(e.offset()).isEqualTo(-1);
        assertThat(Json.write(nested(64))).startsWith("[[[");
    }

    @Test
    void acceptsOneLeadingByteOrderMarkOnly() {
        byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThat(Json.parse(withBom)).isEqualTo(Map.of());
        assertThat(Json.parse("\uFEFF[1]")).isEqualTo(List.of(1L));
        assertThatThrownBy(() -> Json.parse("[\uFEFF1]")).hasMessageContaining("expected a value, found U+FEFF");
        assertThatThrownBy(() -> Json.parse("\uFEFF\uFEFF1")).hasMessageContaining("found U+FEFF");
    }

    @Test
    void rejectsMalformedUtf8AtItsByteOffset() {
        byte[] bad = {'"', 'a', (byte) 0xC3, '"'};
        assertThatThrownBy(() -> Json.parse(bad))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("malformed UTF-8 at byte offset 2")
                .extracting(t -> ((JsonException) t).offset())
                .isEqualTo(2);
        byte[] encodedSurrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertThatThrownBy(() -> Json.parse(encodedSurrogate)).hasMessageContaining("malformed UTF-8");
    }

    @Test
    void nestingIsBoundedAtSixtyFourLevels() {
        assertThat(Json.parse("[".repeat(64) + "]".repeat(64))).isEqualTo(nested(64));
        String deep = "{\"a\":".repeat(32) + "[".repeat(33) + "]".repeat(33) + "}".repeat(32);

        assertThatThrownBy(() -> Json.parse(deep))
                .isInstanceOf(JsonException.class)
                .hasMessageContaining("nesting deeper than 64")
                .extracting(t -> ((JsonException) t).offset())
                .isEqualTo(5 * 32 + 32);
        // Far beyond the bound: an error, not a StackOverflowError.
        assertThatThrownBy(() -> Json.parse("[".repeat(100_000))).hasMessageContaining("nesting deeper than 64");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("", 0, "expected a value, found end of input"),
                Arguments.of("   ", 3, "expected a value, found end of input"),
                Arguments.of("{\"a\":1", 6, "expected ',' or '}', found end of input"),
                Arguments.of("[1,2", 4, "expected ',' or ']', found end of input"),
                Arguments.of("\"abc", 4, "expected '\"' closing the string, found end of input"),
                Arguments.of("{\"a\"", 4, "expected ':', found end of input"),
                Arguments.of("{\"a\" 1}", 5, "expected ':', found '1'"),
                Arguments.of("[1,2,]", 5, "expected a value, found ']'"),
                Arguments.of("{\"a\":1,}", 7, "expected a string key, found '}'"),
                Arguments.of("{a:1}", 1, "expected a string key, found 'a'"),
                Arguments.of("{'a':1}", 1, "expected a string key, found '''"),
                Arguments.of("[1 2]", 3, "expected ',' or ']', found '2'"),
                Arguments.of("{\"a\":1,\"a\":2}", 7, "duplicate key \"a\""),
                Arguments.of("\"\\x\"", 1, "invalid escape"),
                Arguments.of("\"\\", 1, "invalid escape; expected one of"),
                Arguments.of("\"\\u12G4\"", 5, "expected a hex digit of a \\u escape, found 'G'"),
                Arguments.of("\"\\u12\"", 5, "expected a hex digit"),
                Arguments.of("\"\\ud800\"", 1, "lone surrogate \\ud800"),
                Arguments.of("\"\\ud800\\u0041\"", 1, "lone surrogate \\ud800"),
                Arguments.of("\"\\udc00\"", 1, "lone surrogate \\udc00"),
                Arguments.of("\"a\ud800\"", 2, "lone surrogate U+D800"),
                Arguments.of("\"a\nb\"", 2, "control character U+000A in a string must be escaped"),
                Arguments.of("\"\t\"", 1, "control character U+0009"),
                Arguments.of("1 2", 2, "expected end of input, found '2'"),
                Arguments.of("[1]x", 3, "expected end of input, found 'x'"),
                Arguments.of("01", 1, "expected end of input, found '1'"),
                Arguments.of("-", 1, "expected a digit, found end of input"),
                Arguments.of("-a", 1, "expected a digit, found 'a'"),
                Arguments.of("1.", 2, "expected a digit after '.'"),
                Arguments.of(".5", 0, "expected a value, found '.'"),
                Arguments.of("1e", 2, "expected a digit of the exponent"),
                Arguments.of("1e+", 3, "expected a digit of the exponent"),
                Arguments.of("+1", 0, "expected a value, found '+'"),
                Arguments.of("1e99999999999", 0, "number 1e99999999999 is out of range"),
                Arguments.of("tru", 0, "expected a value, found 't'"),
                Arguments.of("nul", 0, "expected a value"),
                Arguments.of("NaN", 0, "expected a value, found 'N'"),
                Arguments.of("Infinity", 0, "expected a value, found 'I'"),
                Arguments.of("[1,/*c*/2]", 3, "expected a value, found '/'"),
                Arguments.of("\u00a0{}", 0, "expected a value, found U+00A0"));
    }

    @ParameterizedTest
    @MethodSource
    void malformed(String text, int offset, String message) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(JsonException.class)
                .hasMessageStartingWith("at offset " + offset + ": ")
                .hasMessageContaining(message)
                .extracting(t -> ((JsonException) t).offset())
                .isEqualTo(offset);
    }

    @Test
    void arbitraryStringsRoundTripThroughWriterAndParser() {
        Random random = new Random(20240611L);
        for (int i = 0; i < 5000; i++) {
            String s = RandomJson.string(random, 40);

            String json = Json.write(s);

            assertThat(json.chars()).as("no raw control character in %s", json).allMatch(c -> c >= 0x20);
            assertThat(Json.parse(json)).as("case %d", i).isEqualTo(s);
            assertThat(Json.parse(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(s);
        }
    }

    @Test
    void arbitraryValuesRoundTripThroughWriterAndParser() {
        Random random = new Random(7L);
        for (int i = 0; i < 3000; i++) {
            Object value = RandomJson.value(random, 0);

            String json = Json.write(value);

            assertThat(Json.parse(json)).as("case %d: %s", i, json).isEqualTo(value);
            assertThat(Json.write(Json.parse(json))).isEqualTo(json);
        }
    }

    private static List<Object> nested(int depth) {
        List<Object> value = List.of();
        for (int i = 1; i < depth; i++) {
            value = List.of(value);
        }
        return value;
    }
}
