package io.factum.api;

import io.factum.api.internal.Json;
import io.factum.api.internal.JsonException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Converts {@link StreamMetadata} to and from the JSON that KurrentDB stores as the data of a {@code
 * $metadata} event in the metastream {@code $$<stream>}. Every backend uses this one codec, so the
 * bytes are the same everywhere.
 *
 * <p>The format, one JSON object:
 *
 * <pre>{@code
 * {"$maxCount":10,"$maxAge":3600,"$tb":5,"$cacheControl":60,
 *  "$acl":{"$r":["$all"],"$w":["ouro","$admins"]},
 *  "custom":{"a":1}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code $maxCount}: integer &ge; 1. {@code $maxAge}: integer seconds &ge; 1. {@code $tb}
 *       (truncate before): integer &ge; 0, {@link StreamMetadata#DELETED} for a soft delete. {@code
 *       $cacheControl}: integer seconds &ge; 0. As in KurrentDB, these must be JSON integers: {@code
 *       10.0}, {@code "10"} and {@code null} are rejected.
 *   <li>{@code $acl}: an object with the keys {@code $r}, {@code $w}, {@code $d}, {@code $mr}, {@code
 *       $mw}, each a string or an array of strings (KurrentDB accepts both); any other key is
 *       rejected, as KurrentDB's own reader fails on it.
 *   <li>Every other key, including unknown {@code $}-prefixed ones such as the legacy {@code
 *       $tempStream}, is the user's and is kept, in order, in {@link StreamMetadata#customJson()}.
 * </ul>
 *
 * <p>{@link #encode} is deterministic: the reserved keys in the order above (KurrentDB's own order),
 * absent ones omitted, ACL roles always as arrays with empty lists omitted, then the custom keys in
 * their order; compact, UTF-8. {@code decode(encode(m))} equals {@code m} whenever {@code
 * m.customJson()} is compact (as {@link #normalizeCustomJson} makes it).
 *
 * <p>Stateless and thread-safe. Bad input raises {@link InvalidInputException}; the size of the
 * input is the caller's limit to enforce (an event's size limit bounds it).
 */
public final class StreamMetadataCodec {
    public static final String MAX_COUNT = "$maxCount";
    public static final String MAX_AGE = "$maxAge";
    public static final String TRUNCATE_BEFORE = "$tb";
    public static final String CACHE_CONTROL = "$cacheControl";
    public static final String ACL = "$acl";

    public static final String ACL_READ = "$r";
    public static final String ACL_WRITE = "$w";
    public static final String ACL_DELETE = "$d";
    public static final String ACL_META_READ = "$mr";
    public static final String ACL_META_WRITE = "$mw";

    /** The keys custom JSON may not contain, in the order {@link #encode} writes them. */
    public static final List<String> RESERVED_KEYS = List.of(MAX_COUNT, MAX_AGE, TRUNCATE_BEFORE, CACHE_CONTROL, ACL);

    private static final List<String> ACL_KEYS =
            List.of(ACL_READ, ACL_WRITE, ACL_DELETE, ACL_META_READ, ACL_META_WRITE);

    private static final String FIELD = "metadata";
    private static final String CUSTOM_FIELD = "customJson";

    private StreamMetadataCodec() {}

    /**
     * Encodes metadata as KurrentDB's UTF-8 JSON.
     *
     * @throws InvalidInputException (field {@code customJson}) when the custom JSON is not an object
     *     or holds a reserved key; (field {@code maxAge}/{@code cacheControl}) when a duration is not
     *     a whole number of seconds, since the format stores seconds and rounding would change the
     *     meaning; (field {@code acl}) when a role is not valid UTF-16
     */
    public static byte[] encode(StreamMetadata metadata) {
        Map<String, Object> out = new LinkedHashMap<>();
        metadata.maxCount().ifPresent(count -> out.put(MAX_COUNT, count));
        metadata.maxAge().ifPresent(age -> out.put(MAX_AGE, wholeSeconds("maxAge", age)));
        metadata.truncateBefore().ifPresent(version -> out.put(TRUNCATE_BEFORE, version));
        metadata.cacheControl().ifPresent(cache -> out.put(CACHE_CONTROL, wholeSeconds("cacheControl", cache)));
        metadata.acl().ifPresent(acl -> out.put(ACL, aclObject(acl)));
        out.putAll(parseCustom(metadata.customJson()));
        String json;
        try {
            json = Json.write(out);
        } catch (JsonException e) {
            // Custom values come from the parser and always write; only an ACL role can fail here.
            throw withCause(new InvalidInputException("acl", metadata.acl().orElseThrow(), e.getMessage()), e);
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes KurrentDB's metadata JSON.
     *
     * @throws InvalidInputException (field {@code metadata}) naming the key and the problem, for
     *     malformed JSON (including malformed UTF-8), a top level that is not an object, or a reserved
     *     key with a value of the wrong type or range
     */
    public static StreamMetadata decode(byte[] json) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonException e) {
            throw malformed(FIELD, new String(json, StandardCharsets.UTF_8), e);
        }
        return fromObject(root);
    }

    /** {@link #decode(byte[])} for a JSON text. */
    public static StreamMetadata decode(String json) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonException e) {
            throw malformed(FIELD, json, e);
        }
        return fromObject(root);
    }

    /**
     * Checks that a text is valid custom metadata: a JSON object without any of the {@link
     * #RESERVED_KEYS}.
     *
     * @throws InvalidInputException (field {@code customJson}) otherwise
     */
    public static void checkCustomJson(String json) {
        parseCustom(json);
    }

    /**
     * Checks custom metadata as {@link #checkCustomJson} does and returns its compact form, the form
     * {@link #decode} produces: {@code { "a" : 1 }} becomes {@code {"a":1}}.
     */
    public static String normalizeCustomJson(String json) {
        return Json.write(parseCustom(json));
    }

    private static StreamMetadata fromObject(Object root) {
        if (!(root instanceof Map<?, ?> object)) {
            throw new InvalidInputException(FIELD, "top level", "must be a JSON object, found " + describe(root));
        }
        OptionalLong maxCount = OptionalLong.empty();
        Optional<Duration> maxAge = Optional.empty();
        OptionalLong truncateBefore = OptionalLong.empty();
        Optional<Duration> cacheControl = Optional.empty();
        Optional<StreamAcl> acl = Optional.empty();
        Map<String, Object> custom = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : object.entrySet()) {
            String key = (String) entry.getKey();
            Object value = entry.getValue();
            switch (key) {
                case MAX_COUNT -> maxCount = OptionalLong.of(integer(key, value, 1));
                case MAX_AGE -> maxAge = Optional.of(Duration.ofSeconds(integer(key, value, 1)));
                case TRUNCATE_BEFORE -> truncateBefore = OptionalLong.of(integer(key, value, 0));
                case CACHE_CONTROL -> cacheControl = Optional.of(Duration.ofSeconds(integer(key, value, 0)));
                case ACL -> acl = Optional.of(acl(value));
                default -> custom.put(key, value);
            }
        }
        return new StreamMetadata(maxCount, maxAge, truncateBefore, cacheControl, acl, Json.write(custom));
    }

    private static long integer(String key, Object value, long min) {
        if (value instanceof Long number && number >= min) {
            return number;
        }
        String rule = min == 1 ? "must be a positive integer" : "must be a non-negative integer";
        String range = value instanceof BigDecimal || value instanceof Long ? " up to " + Long.MAX_VALUE : "";
        throw new InvalidInputException(FIELD, key, rule + range + ", found " + describe(value));
    }

    private static StreamAcl acl(Object value) {
        if (!(value instanceof Map<?, ?> object)) {
            throw new InvalidInputException(FIELD, ACL, "must be an object, found " + describe(value));
        }
        Map<String, List<String>> roles = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : object.entrySet()) {
            String key = (String) entry.getKey();
            if (!ACL_KEYS.contains(key)) {
                throw new InvalidInputException(
                        FIELD, ACL + "." + key, "is not an ACL key; the keys are " + String.join(", ", ACL_KEYS));
            }
            roles.put(key, roles(ACL + "." + key, entry.getValue()));
        }
        return new StreamAcl(
                roles.getOrDefault(ACL_READ, List.of()),
                roles.getOrDefault(ACL_WRITE, List.of()),
                roles.getOrDefault(ACL_DELETE, List.of()),
                roles.getOrDefault(ACL_META_READ, List.of()),
                roles.getOrDefault(ACL_META_WRITE, List.of()));
    }

    /** KurrentDB writes one role as a plain string and several as an array; both are read. */
    private static List<String> roles(String key, Object value) {
        if (value instanceof String role) {
            return List.of(role);
        }
        if (value instanceof List<?> list) {
            List<String> roles = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String role)) {
                    throw new InvalidInputException(
                            FIELD,
                            key,
                            "must be a string or an array of strings, found an array holding " + describe(item));
                }
                roles.add(role);
            }
            return roles;
        }
        throw new InvalidInputException(
                FIELD, key, "must be a string or an array of strings, found " + describe(value));
    }

    private static Map<String, Object> aclObject(StreamAcl acl) {
        Map<String, Object> out = new LinkedHashMap<>();
        putRoles(out, ACL_READ, acl.read());
        putRoles(out, ACL_WRITE, acl.write());
        putRoles(out, ACL_DELETE, acl.delete());
        putRoles(out, ACL_META_READ, acl.metaRead());
        putRoles(out, ACL_META_WRITE, acl.metaWrite());
        return out;
    }

    private static void putRoles(Map<String, Object> out, String key, List<String> roles) {
        if (!roles.isEmpty()) {
            out.put(key, roles);
        }
    }

    private static long wholeSeconds(String field, Duration duration) {
        if (duration.getNano() != 0) {
            throw new InvalidInputException(
                    field, duration, "must be a whole number of seconds (the metadata format stores seconds)");
        }
        return duration.getSeconds();
    }

    private static Map<String, Object> parseCustom(String json) {
        Object value;
        try {
            value = Json.parse(json);
        } catch (JsonException e) {
            throw malformed(CUSTOM_FIELD, json, e);
        }
        if (!(value instanceof Map<?, ?> object)) {
            throw new InvalidInputException(CUSTOM_FIELD, json, "must be a JSON object");
        }
        for (String reserved : RESERVED_KEYS) {
            if (object.containsKey(reserved)) {
                throw new InvalidInputException(
                        CUSTOM_FIELD,
                        json,
                        "must not contain the reserved key " + reserved + "; set it through StreamMetadata");
            }
        }
        @SuppressWarnings("unchecked") // the parser's objects always have String keys
        Map<String, Object> custom = (Map<String, Object>) object;
        return custom;
    }

    private static InvalidInputException malformed(String field, String json, JsonException e) {
        return withCause(new InvalidInputException(field, json, "malformed JSON " + e.getMessage()), e);
    }

    private static InvalidInputException withCause(InvalidInputException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    /** A short description of a parsed value for an error message. */
    private static String describe(Object value) {
        return switch (value) {
            case Long number -> number.toString();
            case BigDecimal number -> {
                String text = number.toString();
                yield text.length() <= 40 ? text : text.substring(0, 37) + "...";
            }
            case String s -> "a string";
            case Boolean b -> b.toString();
            case Map<?, ?> map -> "an object";
            case List<?> list -> "an array";
            default -> "null";
        };
    }
}
