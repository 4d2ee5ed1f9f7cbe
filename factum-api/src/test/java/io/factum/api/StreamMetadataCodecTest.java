package io.factum.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.internal.Json;
import io.factum.api.internal.JsonException;
import io.factum.api.internal.RandomJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamMetadataCodecTest {

    private static final StreamAcl OURO_ACL =
            new StreamAcl(List.of("$all"), List.of("ouro", "$admins"), List.of(), List.of(), List.of());

    @Test
    void emptyMetadataIsAnEmptyObject() {
        assertThat(encodeToString(StreamMetadata.empty())).isEqualTo("{}");
        assertThat(StreamMetadataCodec.decode("{}".getBytes(UTF_8))).isEqualTo(StreamMetadata.empty());
        assertThat(StreamMetadataCodec.decode(" { } ")).isEqualTo(StreamMetadata.empty());
    }

    @Test
    void decodesTheDocumentedKurrentDbExample() {
        String json = "{\"$maxCount\":10,\"$maxAge\":3600,\"$tb\":5,\"$cacheControl\":60,"
                + "\"$acl\":{\"$r\":\"$all\",\"$w\":[\"ouro\",\"$admins\"]},\"custom\":{\"a\":1}}";

        StreamMetadata metadata = StreamMetadataCodec.decode(json.getBytes(UTF_8));

        assertThat(metadata.maxCount()).hasValue(10);
        assertThat(metadata.maxAge()).contains(Duration.ofHours(1));
        assertThat(metadata.truncateBefore()).hasValue(5);
        assertThat(metadata.cacheControl()).contains(Duration.ofMinutes(1));
        assertThat(metadata.acl()).contains(OURO_ACL);
        assertThat(metadata.customJson()).isEqualTo("{\"custom\":{\"a\":1}}");
        assertThat(metadata.isSoftDeleted()).isFalse();
    }

    @Test
    void encodesInKurrentDbKeyOrderWithAclRolesAsArrays() {
        StreamMetadata metadata = StreamMetadata.empty()
                .withCustomJson("{\"custom\":{\"a\":1}}")
                .withAcl(OURO_ACL)
                .withCacheControl(Duration.ofSeconds(60))
                .withTruncateBefore(5)
                .withMaxAge(Duration.ofSeconds(3600))
                .withMaxCount(10);

        assertThat(encodeToString(metadata))
                .isEqualTo("{\"$maxCount\":10,\"$maxAge\":3600,\"$tb\":5,\"$cacheControl\":60,"
                        + "\"$acl\":{\"$r\":[\"$all\"],\"$w\":[\"ouro\",\"$admins\"]},\"custom\":{\"a\":1}}");
    }

    @Test
    void aclEntriesMayBeSingleStringsOrArraysAndEveryOperationIsRead() {
        String json = "{\"$acl\":{\"$mw\":\"$admins\",\"$mr\":[\"a\",\"b\"],\"$d\":\"\",\"$w\":[],\"$r\":\"$all\"}}";

        StreamMetadata metadata = StreamMetadataCodec.decode(json);

        assertThat(metadata.acl())
                .contains(
                        new StreamAcl(List.of("$all"), List.of(), List.of(""), List.of("a", "b"), List.of("$admins")));
        assertThat(encodeToString(metadata))
                .isEqualTo("{\"$acl\":{\"$r\":[\"$all\"],\"$d\":[\"\"],\"$mr\":[\"a\",\"b\"],\"$mw\":[\"$admins\"]}}");
    }

    @Test
    void anEmptyAclObjectIsAnAclThatSetsNothing() {
        StreamMetadata metadata = StreamMetadataCodec.decode("{\"$acl\":{}}");

        assertThat(metadata.acl()).contains(StreamAcl.empty());
        assertThat(encodeToString(metadata)).isEqualTo("{\"$acl\":{}}");
        assertThat(encodeToString(
                        metadata.withAcl(new StreamAcl(List.of(), List.of(), List.of(), List.of(), List.of()))))
                .isEqualTo("{\"$acl\":{}}");
    }

    @Test
    void unknownDollarKeysAndUserKeysAreKeptInOrderAsCustomJson() {
        String json = "{\"z\":[1,{\"b\":null}],\"$tempStream\":true,\"$maxCount\":3,"
                + "\"$future\":{\"x\":\"y\"},\"a\":\"\\u00e9\\n\",\"n\":1.50}";

        StreamMetadata metadata = StreamMetadataCodec.decode(json);

        assertThat(metadata.maxCount()).hasValue(3);
        assertThat(metadata.customJson())
                .isEqualTo("{\"z\":[1,{\"b\":null}],\"$tempStream\":true,\"$future\":{\"x\":\"y\"},"
                        + "\"a\":\"\u00e9\\n\",\"n\":1.50}");
        assertThat(encodeToString(metadata))
                .isEqualTo("{\"$maxCount\":3,\"z\":[1,{\"b\":null}],\"$tempStream\":true,"
                        + "\"$future\":{\"x\":\"y\"},\"a\":\"\u00e9\\n\",\"n\":1.50}");
    }

    @Test
    void softDeleteRoundTrips() {
        StreamMetadata deleted = StreamMetadata.empty().withTruncateBefore(StreamMetadata.DELETED);

        byte[] bytes = StreamMetadataCodec.encode(deleted);

        assertThat(new String(bytes, UTF_8)).isEqualTo("{\"$tb\":9223372036854775807}");
        StreamMetadata decoded = StreamMetadataCodec.decode(bytes);
        assertThat(decoded).isEqualTo(deleted);
        assertThat(decoded.isSoftDeleted()).isTrue();
    }

    @Test
    void extremeValuesRoundTrip() {
        StreamMetadata metadata = new StreamMetadata(
                OptionalLong.of(Long.MAX_VALUE),
                Optional.of(Duration.ofSeconds(Long.MAX_VALUE)),
                OptionalLong.of(0),
                Optional.of(Duration.ZERO),
                Optional.of(StreamAcl.empty()),
                "{}");

        assertThat(roundTrip(metadata)).isEqualTo(metadata);
        assertThat(roundTrip(metadata.withMaxCount(1).withMaxAge(Duration.ofSeconds(1))))
                .isEqualTo(metadata.withMaxCount(1).withMaxAge(Duration.ofSeconds(1)));
    }

    @Test
    void everyCombinationOfFieldsRoundTrips() {
        for (int mask = 0; mask < 64; mask++) {
            StreamMetadata metadata = StreamMetadata.empty();
            if ((mask & 1) != 0) {
                metadata = metadata.withMaxCount(7);
            }
            if ((mask & 2) != 0) {
                metadata = metadata.withMaxAge(Duration.ofDays(30));
            }
            if ((mask & 4) != 0) {
                metadata = metadata.withTruncateBefore(42);
            }
            if ((mask & 8) != 0) {
                metadata = metadata.withCacheControl(Duration.ofSeconds(15));
            }
            if ((mask & 16) != 0) {
                metadata = metadata.withAcl(OURO_ACL);
            }
            if ((mask & 32) != 0) {
                metadata = metadata.withCustomJson("{\"owner\":\"team-a\",\"tags\":[\"x\"]}");
            }

            byte[] bytes = StreamMetadataCodec.encode(metadata);

            assertThat(StreamMetadataCodec.decode(bytes)).as("mask %d", mask).isEqualTo(metadata);
            assertThat(Json.parse(bytes))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .hasSize(Integer.bitCount(mask & 31) + ((mask & 32) != 0 ? 2 : 0));
        }
    }

    @Test
    void randomMetadataRoundTripsAndEncodesDeterministically() {
        Random random = new Random(0xFAC7L);
        for (int i = 0; i < 3000; i++) {
            StreamMetadata metadata = randomMetadata(random);

            byte[] bytes = StreamMetadataCodec.encode(metadata);
            StreamMetadata decoded = StreamMetadataCodec.decode(bytes);

            assertThat(decoded).as("case %d: %s", i, new String(bytes, UTF_8)).isEqualTo(metadata);
            assertThat(StreamMetadataCodec.encode(decoded)).isEqualTo(bytes);
        }
    }

    @Test
    void nonCompactCustomJsonIsNormalized() {
        String loose = "{ \"b\" : 1 ,\n \"a\" : [ true , null ] }";

        StreamMetadata decoded = roundTrip(StreamMetadata.empty().withCustomJson(loose));

        assertThat(decoded.customJson()).isEqualTo("{\"b\":1,\"a\":[true,null]}");
        assertThat(StreamMetadataCodec.normalizeCustomJson(loose)).isEqualTo(decoded.customJson());
    }

    static Stream<Arguments> malformedMetadata() {
        return Stream.of(
                Arguments.of("{\"$maxCount\":10", "malformed JSON at offset 15: expected ',' or '}'"),
                Arguments.of("{\"$maxCount\":10,}", "malformed JSON at offset 16: expected a string key"),
                Arguments.of("{\"a\":[1,]}", "expected a value, found ']'"),
                Arguments.of("{\"a\":\"\\q\"}", "invalid escape"),
                Arguments.of("{$maxCount:1}", "expected a string key, found '$'"),
                Arguments.of("{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}", "nesting deeper than 64"),
                Arguments.of("{\"$maxCount\":1,\"$maxCount\":2}", "duplicate key \"$maxCount\""),
                Arguments.of("{} {}", "expected end of input"),
                Arguments.of("", "expected a value, found end of input"),
                Arguments.of("[]", "'top level': must be a JSON object, found an array"),
                Arguments.of("\"x\"", "must be a JSON object, found a string"),
                Arguments.of("null", "must be a JSON object, found null"),
                Arguments.of(
                        "{\"$maxCount\":0}",
                        "'$maxCount': must be a positive integer up to 9223372036854775807, found 0"),
                Arguments.of(
                        "{\"$maxCount\":-1}",
                        "'$maxCount': must be a positive integer up to 9223372036854775807, found -1"),
                Arguments.of(
                        "{\"$maxCount\":99999999999999999999}",
                        "'$maxCount': must be a positive integer up to 9223372036854775807, found 99999999999999999999"),
                Arguments.of(
                        "{\"$maxCount\":1e400}",
                        "'$maxCount': must be a positive integer up to 9223372036854775807, found 1E+400"),
                Arguments.of(
                        "{\"$maxCount\":10.0}",
                        "'$maxCount': must be a positive integer up to 9223372036854775807, found 10.0"),
                Arguments.of("{\"$maxCount\":\"10\"}", "'$maxCount': must be a positive integer, found a string"),
                Arguments.of("{\"$maxCount\":null}", "'$maxCount': must be a positive integer, found null"),
                Arguments.of(
                        "{\"$maxAge\":0}", "'$maxAge': must be a positive integer up to 9223372036854775807, found 0"),
                Arguments.of(
                        "{\"$maxAge\":-3600}",
                        "'$maxAge': must be a positive integer up to 9223372036854775807, found -3600"),
                Arguments.of(
                        "{\"$maxAge\":1.5}",
                        "'$maxAge': must be a positive integer up to 9223372036854775807, found 1.5"),
                Arguments.of("{\"$maxAge\":\"3600\"}", "'$maxAge': must be a positive integer, found a string"),
                Arguments.of(
                        "{\"$tb\":-1}", "'$tb': must be a non-negative integer up to 9223372036854775807, found -1"),
                Arguments.of(
                        "{\"$tb\":9223372036854775808}",
                        "'$tb': must be a non-negative integer up to 9223372036854775807, found 9223372036854775808"),
                Arguments.of("{\"$tb\":true}", "'$tb': must be a non-negative integer, found true"),
                Arguments.of(
                        "{\"$cacheControl\":-1}",
                        "'$cacheControl': must be a non-negative integer up to 9223372036854775807, found -1"),
                Arguments.of(
                        "{\"$cacheControl\":[60]}", "'$cacheControl': must be a non-negative integer, found an array"),
                Arguments.of("{\"$acl\":\"$all\"}", "'$acl': must be an object, found a string"),
                Arguments.of("{\"$acl\":null}", "'$acl': must be an object, found null"),
                Arguments.of("{\"$acl\":{\"$r\":1}}", "'$acl.$r': must be a string or an array of strings, found 1"),
                Arguments.of(
                        "{\"$acl\":{\"$w\":[\"a\",2]}}",
                        "'$acl.$w': must be a string or an array of strings, found an array holding 2"),
                Arguments.of(
                        "{\"$acl\":{\"$d\":[[\"a\"]]}}",
                        "'$acl.$d': must be a string or an array of strings, found an array holding an array"),
                Arguments.of(
                        "{\"$acl\":{\"$mr\":null}}", "'$acl.$mr': must be a string or an array of strings, found null"),
                Arguments.of(
                        "{\"$acl\":{\"$x\":[\"a\"]}}",
                        "'$acl.$x': is not an ACL key; the keys are $r, $w, $d, $mr, $mw"));
    }

    @ParameterizedTest
    @MethodSource
    void malformedMetadata(String json, String message) {
        assertThatThrownBy(() -> StreamMetadataCodec.decode(json.getBytes(UTF_8)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid metadata ")
                .hasMessageContaining(message)
                .extracting(t -> ((InvalidInputException) t).field())
                .isEqualTo("metadata");
        assertThatThrownBy(() -> StreamMetadataCodec.decode(json))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message);
    }

    @Test
    void malformedJsonKeepsTheParserErrorAsCause() {
        assertThatThrownBy(() -> StreamMetadataCodec.decode("{\"a\":}")).hasCauseInstanceOf(JsonException.class);
    }

    @Test
    void malformedUtf8IsInvalidMetadata() {
        byte[] bad = {'{', '"', (byte) 0xFF, '"', ':', '1', '}'};

        assertThatThrownBy(() -> StreamMetadataCodec.decode(bad))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("malformed UTF-8 at byte offset 2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"a\":[1,{\"b\":null}]}", "{\"$tempStream\":true}", " {\"maxAge\":1} "})
    void acceptsCustomJsonObjectsWithoutReservedKeys(String json) {
        StreamMetadataCodec.checkCustomJson(json);

        assertThat(StreamMetadataCodec.decode(StreamMetadataCodec.encode(
                                StreamMetadata.empty().withCustomJson(json)))
                        .customJson())
                .isEqualTo(StreamMetadataCodec.normalizeCustomJson(json));
    }

    static Stream<Arguments> badCustomJson() {
        return Stream.of(
                Arguments.of("[]", "must be a JSON object"),
                Arguments.of("1", "must be a JSON object"),
                Arguments.of("null", "must be a JSON object"),
                Arguments.of("", "malformed JSON at offset 0: expected a value"),
                Arguments.of("{\"a\":1", "malformed JSON at offset 6"),
                Arguments.of("{\"a\":1,\"a\":2}", "duplicate key \"a\""),
                Arguments.of("{\"x\":1,\"$maxAge\":1}", "must not contain the reserved key $maxAge"),
                Arguments.of("{\"$maxCount\":1}", "must not contain the reserved key $maxCount"),
                Arguments.of("{\"$tb\":1}", "must not contain the reserved key $tb"),
                Arguments.of("{\"$cacheControl\":1}", "must not contain the reserved key $cacheControl"),
                Arguments.of("{\"$acl\":{}}", "must not contain the reserved key $acl"));
    }

    @ParameterizedTest
    @MethodSource
    void badCustomJson(String json, String message) {
        assertThatThrownBy(() -> StreamMetadataCodec.checkCustomJson(json))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid customJson ")
                .hasMessageContaining(message);
        assertThatThrownBy(
                        () -> StreamMetadataCodec.encode(StreamMetadata.empty().withCustomJson(json)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(message)
                .extracting(t -> ((InvalidInputException) t).field())
                .isEqualTo("customJson");
        assertThatThrownBy(() -> StreamMetadataCodec.normalizeCustomJson(json))
                .isInstanceOf(InvalidInputException.class);
    }

    @Test
    void encodeRejectsDurationsThatAreNotWholeSeconds() {
        assertThatThrownBy(
                        () -> StreamMetadataCodec.encode(StreamMetadata.empty().withMaxAge(Duration.ofMillis(1500))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(
                        "invalid maxAge PT1.5S: must be a whole number of seconds (the metadata format stores seconds)");
        assertThatThrownBy(
                        () -> StreamMetadataCodec.encode(StreamMetadata.empty().withCacheControl(Duration.ofNanos(1))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid cacheControl PT0.000000001S: must be a whole number of seconds");
    }

    @Test
    void encodeRejectsAclRolesThatAreNotValidUnicode() {
        StreamAcl acl = new StreamAcl(List.of("ok", "bad\ud800"), List.of(), List.of(), List.of(), List.of());

        assertThatThrownBy(
                        () -> StreamMetadataCodec.encode(StreamMetadata.empty().withAcl(acl)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("lone surrogate U+D800")
                .extracting(t -> ((InvalidInputException) t).field())
                .isEqualTo("acl");
    }

    @Test
    void decodeSkipsALeadingByteOrderMarkAsKurrentDbDoes() {
        byte[] json = "\uFEFF{\"$maxCount\":2}".getBytes(UTF_8);

        assertThat(StreamMetadataCodec.decode(json).maxCount()).hasValue(2);
    }

    private static String encodeToString(StreamMetadata metadata) {
        return new String(StreamMetadataCodec.encode(metadata), UTF_8);
    }

    private static StreamMetadata roundTrip(StreamMetadata metadata) {
        return StreamMetadataCodec.decode(StreamMetadataCodec.encode(metadata));
    }

    private static StreamMetadata randomMetadata(Random random) {
        return new StreamMetadata(
                random.nextBoolean() ? OptionalLong.of(positive(random, 1)) : OptionalLong.empty(),
                random.nextBoolean() ? Optional.of(Duration.ofSeconds(positive(random, 1))) : Optional.empty(),
                random.nextBoolean() ? OptionalLong.of(positive(random, 0)) : OptionalLong.empty(),
                random.nextBoolean() ? Optional.of(Duration.ofSeconds(positive(random, 0))) : Optional.empty(),
                random.nextBoolean() ? Optional.of(randomAcl(random)) : Optional.empty(),
                random.nextInt(3) == 0 ? "{}" : Json.write(randomCustom(random)));
    }

    /** A long of at least {@code min}, often at the edges (min, min + 1, Long.MAX_VALUE). */
    private static long positive(Random random, long min) {
        return switch (random.nextInt(5)) {
            case 0 -> min;
            case 1 -> min + 1;
            case 2 -> Long.MAX_VALUE;
            case 3 -> min + random.nextInt(1000);
            default -> Math.max(min, random.nextLong() & Long.MAX_VALUE);
        };
    }

    private static StreamAcl randomAcl(Random random) {
        List<List<String>> lists = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<String> roles = new ArrayList<>();
            int size = random.nextInt(3) == 0 ? 0 : random.nextInt(4);
            for (int j = 0; j < size; j++) {
                roles.add(random.nextBoolean() ? "$admins" : RandomJson.string(random, 12));
            }
            lists.add(roles);
        }
        return new StreamAcl(lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4));
    }

    private static Map<String, Object> randomCustom(Random random) {
        Map<String, Object> custom = new LinkedHashMap<>();
        int size = random.nextInt(5);
        for (int i = 0; i < size; i++) {
            String key = random.nextInt(4) == 0 ? "$" + RandomJson.string(random, 8) : RandomJson.string(random, 8);
            if (!StreamMetadataCodec.RESERVED_KEYS.contains(key)) {
                custom.put(key, RandomJson.value(random, 1));
            }
        }
        return custom;
    }
}
