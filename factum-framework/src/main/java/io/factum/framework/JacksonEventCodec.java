package io.factum.framework;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Events as JSON through Jackson: records and sealed hierarchies as they are, no annotations
 * needed. The stored type and schema version come from {@link EventTypes}; old versions and old
 * names are lifted by its upcasters on read; an event whose type and version have a JSON Schema
 * is checked against it before it is stored.
 *
 * <p>The default mapper ignores fields it does not know, so a field added to an event without a
 * new schema version does not stop older code from reading it ("tolerant reader"); give a mapper
 * of your own to be strict. Thread-safe.
 */
public final class JacksonEventCodec<E> implements EventCodec<E> {
    private final EventTypes<E> types;
    private final ObjectMapper mapper;
    private final Map<TypeVersion, Schema> schemas;
    /** A reader and a writer per class, built once: Jackson resolves types per call otherwise. */
    private final ClassValue<ObjectReader> readers = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return mapper.readerFor(type);
        }
    };

    /** A current type's version and reader: decoding a current event is one look-up by its type. */
    private record Current(int version, ObjectReader reader) {}

    private final Map<String, Current> current = new HashMap<>();

    private final ClassValue<ObjectWriter> writers = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return mapper.writerFor(type);
        }
    };

    private JacksonEventCodec(EventTypes<E> types, ObjectMapper mapper) {
        this.types = Objects.requireNonNull(types, "types");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        Map<TypeVersion, Schema> parsed = new HashMap<>();
        types.schemas().forEach((tv, text) -> {
            try {
                parsed.put(tv, registry.getSchema(mapper.readTree(text)));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(
                        "the JSON Schema of " + tv + " does not parse: " + e.getMessage(), e);
            }
        });
        this.schemas = Map.copyOf(parsed);
        types.currentTypes().forEach((c, tv) -> current.put(tv.type(), new Current(tv.version(), readers.get(c))));
    }

    /** A codec with a mapper that ignores unknown fields. */
    public static <E> JacksonEventCodec<E> of(EventTypes<E> types) {
        return new JacksonEventCodec<>(
                types, new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
    }

    /** A codec with the given mapper (modules, naming, strictness are the mapper's). */
    public static <E> JacksonEventCodec<E> of(EventTypes<E> types, ObjectMapper mapper) {
        return new JacksonEventCodec<>(types, mapper);
    }

    public EventTypes<E> types() {
        return types;
    }

    @Override
    public String typeOf(E event) {
        return types.typeVersionOf(event.getClass()).type();
    }

    @Override
    public int schemaVersionOf(E event) {
        return types.typeVersionOf(event.getClass()).version();
    }

    /**
     * @throws EventSchemaViolationException when the event does not match its JSON Schema
     */
    @Override
    public byte[] encode(E event) {
        TypeVersion tv = types.typeVersionOf(event.getClass());
        Schema schema = schemas.get(tv);
        try {
            if (schema == null) {
                return writers.get(event.getClass()).writeValueAsBytes(event);
            }
            JsonNode tree = mapper.valueToTree(event);
            List<Error> errors = schema.validate(tree);
            if (!errors.isEmpty()) {
                List<String> lines = new ArrayList<>(errors.size());
                errors.forEach(error -> lines.add(error.toString()));
                throw new EventSchemaViolationException(tv, lines);
            }
            return mapper.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalArgumentException(tv + " does not serialise: " + e.getMessage(), e);
        }
    }

    @Override
    public E decode(String type, byte[] data) {
        List<E> events = decode(type, types.typeVersionOf(classFor(type)).version(), data);
        if (events.size() != 1) {
            throw new IllegalArgumentException(type + " decodes to " + events.size() + " events, not one");
        }
        return events.getFirst();
    }

    private Class<?> classFor(String type) {
        for (int v = 1; v < 1_000; v++) {
            Class<?> c = types.classOf(new TypeVersion(type, v));
            if (c != null) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown event type " + type);
    }

    @Override
    public List<E> decode(String type, int schemaVersion, byte[] data) {
        TypeVersion stored = new TypeVersion(type, schemaVersion);
        try {
            Current direct = current.get(type);
            if (direct != null && direct.version() == schemaVersion) {
                E event = direct.reader().readValue(data); // current: no tree in between
                return List.of(event);
            }
            JsonNode tree = mapper.readTree(data);
            if (!(tree instanceof ObjectNode object)) {
                throw new IllegalArgumentException(stored + " is not a JSON object");
            }
            List<E> out = new ArrayList<>(1);
            for (Upcasted lifted : types.upcast(stored, object)) {
                Class<? extends E> target = Objects.requireNonNull(types.classOf(lifted.typeVersion()));
                out.add(mapper.treeToValue(lifted.data(), target));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException(stored + " does not decode: " + e.getMessage(), e);
        }
    }
}
