package io.factum.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.StreamAcl;
import io.factum.api.StreamMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Stream metadata in KurrentDB's JSON format: {@code $maxAge} and {@code $cacheControl} in seconds,
 * {@code $maxCount}, {@code $tb}, {@code $acl} ({@code $r}, {@code $w}, {@code $d}, {@code $mr},
 * {@code $mw}, each a name or a list of names); every other key is the user's own.
 *
 * <p>TEMPORARY: {@code io.factum.api.StreamMetadataCodec} (being written in factum-api) is the one
 * codec every backend shares. Once it is merged, {@link #encode} and {@link #decode} delegate to it
 * and the key handling below is deleted. Stateless and thread-safe.
 */
final class MetadataJson {

    private static final String[] ACL_KEYS = {"$r", "$w", "$d", "$mr", "$mw"};

    private MetadataJson() {}

    static ObjectNode encode(StreamMetadata metadata) {
        ObjectNode node = Json.object();
        metadata.maxAge().ifPresent(age -> node.put("$maxAge", age.getSeconds()));
        metadata.maxCount().ifPresent(count -> node.put("$maxCount", count));
        metadata.truncateBefore().ifPresent(tb -> node.put("$tb", tb));
        metadata.cacheControl().ifPresent(cc -> node.put("$cacheControl", cc.getSeconds()));
        metadata.acl().ifPresent(acl -> node.set("$acl", encodeAcl(acl)));
        JsonNode custom = Json.parse("the custom metadata", metadata.customJson(), 1);
        custom.fields().forEachRemaining(field -> node.set(field.getKey(), field.getValue()));
        return node;
    }

    /** @throws CliException (usage) naming a reserved key whose value has the wrong type */
    static StreamMetadata decode(JsonNode node) {
        if (!node.isObject()) {
            throw CliException.usage("stream metadata must be a JSON object, not " + node.getNodeType());
        }
        ObjectNode custom = Json.object();
        StreamMetadata metadata = StreamMetadata.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            metadata = switch (field.getKey()) {
                case "$maxAge" -> metadata.withMaxAge(Duration.ofSeconds(number("$maxAge", value)));
                case "$maxCount" -> metadata.withMaxCount(number("$maxCount", value));
                case "$tb" -> metadata.withTruncateBefore(number("$tb", value));
                case "$cacheControl" -> metadata.withCacheControl(Duration.ofSeconds(number("$cacheControl", value)));
                case "$acl" -> metadata.withAcl(decodeAcl(value));
                default -> {
                    custom.set(field.getKey(), value);
                    yield metadata;
                }
            };
        }
        return new StreamMetadata(
                metadata.maxCount(),
                metadata.maxAge(),
                metadata.truncateBefore(),
                metadata.cacheControl(),
                metadata.acl(),
                Json.compact(custom));
    }

    private static long number(String key, JsonNode value) {
        if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
            throw CliException.usage("stream metadata key \"" + key + "\" must be a whole number, not " + value);
        }
        return value.asLong();
    }

    private static ObjectNode encodeAcl(StreamAcl acl) {
        ObjectNode node = Json.object();
        List<List<String>> lists = List.of(acl.read(), acl.write(), acl.delete(), acl.metaRead(), acl.metaWrite());
        for (int i = 0; i < ACL_KEYS.length; i++) {
            List<String> names = lists.get(i);
            if (names.size() == 1) {
                node.put(ACL_KEYS[i], names.getFirst());
            } else if (!names.isEmpty()) {
                ArrayNode array = node.putArray(ACL_KEYS[i]);
                names.forEach(array::add);
            }
        }
        return node;
    }

    private static StreamAcl decodeAcl(JsonNode node) {
        if (!node.isObject()) {
            throw CliException.usage("stream metadata key \"$acl\" must be an object with $r, $w, $d, $mr, $mw");
        }
        List<List<String>> lists = new ArrayList<>();
        for (String key : ACL_KEYS) {
            lists.add(names(key, Optional.ofNullable(node.get(key))));
        }
        return new StreamAcl(lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4));
    }

    private static List<String> names(String key, Optional<JsonNode> value) {
        if (value.isEmpty()) {
            return List.of();
        }
        JsonNode node = value.get();
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    break;
                }
                names.add(element.asText());
            }
            if (names.size() == node.size()) {
                return names;
            }
        }
        throw CliException.usage("$acl key \"" + key + "\" must be a name or a list of names, not " + node);
    }

    /** For {@link OptionalLong}-typed values in the show table. */
    static String text(OptionalLong value) {
        return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
    }
}
