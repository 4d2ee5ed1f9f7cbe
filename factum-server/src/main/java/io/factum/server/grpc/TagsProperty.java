package io.factum.server.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.factum.protocol.FactumWire;
import java.util.ArrayList;
import java.util.List;

/**
 * Tags over the KurrentDB protocol: the {@link FactumWire#TAGS_PROPERTY} property of an event's
 * system metadata, a JSON array of strings. KurrentDB clients pass unknown properties through, so a
 * writer may tag events with any of them, and readers see the tags as an ordinary property. An
 * event without tags carries no such property.
 */
final class TagsProperty {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private TagsProperty() {}

    /**
     * The tags of a property value.
     *
     * @param field the property's place in the request, for the error
     */
    static List<String> parse(String value, String field) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw malformed(field, value);
        }
        if (node == null || !node.isArray()) {
            throw malformed(field, value);
        }
        List<String> tags = new ArrayList<>(node.size());
        for (JsonNode tag : node) {
            if (!tag.isTextual()) {
                throw malformed(field, value);
            }
            if (tags.contains(tag.textValue())) {
                throw GrpcErrors.invalidArgument(
                        field + ": tag '" + ProtoCodec.abbreviate(tag.textValue()) + "' appears twice");
            }
            tags.add(tag.textValue());
        }
        return tags;
    }

    /** The property value for these tags. */
    static String write(List<String> tags) {
        try {
            return JSON.writeValueAsString(tags);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings did not write as JSON", e);
        }
    }

    private static RuntimeException malformed(String field, String value) {
        return GrpcErrors.invalidArgument(field + ": '" + ProtoCodec.abbreviate(value)
                + "' is not a JSON array of strings, such as [\"account:42\"]");
    }
}
