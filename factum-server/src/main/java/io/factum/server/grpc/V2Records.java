package io.factum.server.grpc;

import com.google.protobuf.Value;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.protocol.FactumWire;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.SchemaFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Records of the v2 protocol as store events. The record's schema name is the event type, its
 * format decides the content type (JSON only for {@code SCHEMA_FORMAT_JSON}, as v1 does for
 * {@code application/json}), and its properties become the event's metadata: a compact JSON object
 * with the keys in order, or, with {@link FactumWire#METADATA_PROPERTY}, exactly the bytes that
 * property carries. The {@link FactumWire#TAGS_PROPERTY} property is not metadata: it carries the
 * event's tags.
 */
final class V2Records {

    private V2Records() {}

    static ExpectedVersion expected(AppendRequest request, String field) {
        if (!request.hasExpectedRevision()) {
            return ExpectedVersion.any();
        }
        long raw = request.getExpectedRevision();
        if (raw >= 0) {
            return ExpectedVersion.exactly(raw);
        }
        return switch ((int) Math.max(raw, Integer.MIN_VALUE)) {
            case -1 -> ExpectedVersion.noStream();
            case -2 -> ExpectedVersion.any();
            case -4 -> ExpectedVersion.streamExists();
            default ->
                throw GrpcErrors.invalidArgument(
                        field + ": " + raw + " is not a revision nor -1 (no stream), -2 (any) or -4 (stream exists)");
        };
    }

    /** KurrentDB's raw form of an expectation: a revision, or -1, -2, -4. */
    static long raw(ExpectedVersion expected) {
        return GrpcErrors.legacyExpected(expected);
    }

    static EventData event(AppendRecord record, String field) {
        UUID id = UUID.randomUUID();
        if (record.hasRecordId()) {
            try {
                id = UUID.fromString(record.getRecordId());
            } catch (IllegalArgumentException e) {
                throw GrpcErrors.invalidArgument(
                        field + ".record_id: '" + ProtoCodec.abbreviate(record.getRecordId()) + "' is not a UUID");
            }
        }
        ContentType contentType = record.getSchema().getFormat() == SchemaFormat.SCHEMA_FORMAT_JSON
                ? ContentType.JSON
                : ContentType.BINARY;
        Map<String, Value> properties = record.getPropertiesMap();
        Value tags = properties.get(FactumWire.TAGS_PROPERTY);
        if (tags != null) {
            properties = new TreeMap<>(properties);
            properties.remove(FactumWire.TAGS_PROPERTY);
        }
        return new EventData(
                id,
                record.getSchema().getName(),
                record.getData().toByteArray(),
                metadata(properties, field),
                contentType,
                tags == null ? List.of() : tags(tags, field + ".properties." + FactumWire.TAGS_PROPERTY));
    }

    /** The tags property: a JSON array in a string, as in v1, or a list of strings. */
    private static List<String> tags(Value value, String field) {
        return switch (value.getKindCase()) {
            case STRING_VALUE -> TagsProperty.parse(value.getStringValue(), field);
            case LIST_VALUE -> {
                List<String> tags = new ArrayList<>();
                for (Value tag : value.getListValue().getValuesList()) {
                    if (tag.getKindCase() != Value.KindCase.STRING_VALUE) {
                        throw GrpcErrors.invalidArgument(field + ": every tag must be a string");
                    }
                    tags.add(tag.getStringValue());
                }
                yield tags;
            }
            default ->
                throw GrpcErrors.invalidArgument(
                        field + ": must be a list of strings or a JSON array of strings in a string");
        };
    }

    private static byte[] metadata(Map<String, Value> properties, String field) {
        if (properties.isEmpty()) {
            return new byte[0];
        }
        Value exact = properties.get(FactumWire.METADATA_PROPERTY);
        if (exact != null) {
            if (properties.size() != 1 || exact.getKindCase() != Value.KindCase.STRING_VALUE) {
                throw GrpcErrors.invalidArgument(field + ".properties: " + FactumWire.METADATA_PROPERTY
                        + " must be a base64 string and the only property besides " + FactumWire.TAGS_PROPERTY);
            }
            try {
                return Base64.getDecoder().decode(exact.getStringValue());
            } catch (IllegalArgumentException e) {
                throw GrpcErrors.invalidArgument(
                        field + ".properties." + FactumWire.METADATA_PROPERTY + ": not base64: " + e.getMessage());
            }
        }
        StringBuilder json = new StringBuilder();
        writeObject(new TreeMap<>(properties), json, field + ".properties");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeObject(Map<String, Value> fields, StringBuilder out, String field) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Value> entry : fields.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(entry.getKey(), out);
            out.append(':');
            writeValue(entry.getValue(), out, field + "." + entry.getKey());
        }
        out.append('}');
    }

    private static void writeValue(Value value, StringBuilder out, String field) {
        switch (value.getKindCase()) {
            case STRING_VALUE -> writeString(value.getStringValue(), out);
            case BOOL_VALUE -> out.append(value.getBoolValue());
            case NULL_VALUE, KIND_NOT_SET -> out.append("null");
            case NUMBER_VALUE -> writeNumber(value.getNumberValue(), out, field);
            case STRUCT_VALUE ->
                writeObject(new TreeMap<>(value.getStructValue().getFieldsMap()), out, field);
            case LIST_VALUE -> {
                out.append('[');
                for (int i = 0; i < value.getListValue().getValuesCount(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    writeValue(value.getListValue().getValues(i), out, field + "[" + i + "]");
                }
                out.append(']');
            }
        }
    }

    private static void writeNumber(double number, StringBuilder out, String field) {
        if (Double.isNaN(number) || Double.isInfinite(number)) {
            throw GrpcErrors.invalidArgument(field + ": " + number + " is not a JSON number");
        }
        if (number == Math.rint(number) && Math.abs(number) < 1e15) {
            out.append((long) number);
        } else {
            out.append(number);
        }
    }

    private static void writeString(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
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
}
