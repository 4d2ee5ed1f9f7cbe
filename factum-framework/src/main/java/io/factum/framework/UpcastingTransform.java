package io.factum.framework;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.ContentType;
import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import io.factum.framework.migration.StreamTransform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A migration transform that bakes the upcasters in: each source event is read through the codec
 * (lifted to the current versions, split where an upcaster splits it) and written again at the
 * current version. After such a migration the service reads the new streams with no upcasting,
 * and the upcasters can go.
 */
public final class UpcastingTransform<E> implements StreamTransform {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventCodec<E> codec;
    private final Function<String, @Nullable String> targetOf;

    /**
     * @param targetOf the target stream of each source stream (null: not migrated)
     */
    public UpcastingTransform(EventCodec<E> codec, Function<String, @Nullable String> targetOf) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.targetOf = Objects.requireNonNull(targetOf, "targetOf");
    }

    @Override
    public @Nullable String targetStream(String sourceStream) {
        return targetOf.apply(sourceStream);
    }

    @Override
    public List<EventData> transform(RecordedEvent event) {
        List<E> lifted = codec.decode(event);
        List<EventData> out = new ArrayList<>(lifted.size());
        for (E e : lifted) {
            out.add(new EventData(
                    event.eventId(),
                    codec.typeOf(e),
                    codec.encode(e),
                    metadata(event.metadata(), codec.schemaVersionOf(e)),
                    codec.isJson() ? ContentType.JSON : ContentType.BINARY,
                    event.tags()));
        }
        return out;
    }

    /** The source metadata with {@code $schemaVersion} set to the new version (left out at 1). */
    private static byte[] metadata(byte[] source, int version) {
        ObjectNode meta;
        try {
            JsonNode parsed = source.length == 0 ? null : JSON.readTree(source);
            meta = parsed instanceof ObjectNode object ? object : JSON.createObjectNode();
        } catch (IOException e) {
            meta = JSON.createObjectNode();
        }
        if (version == 1) {
            meta.remove(EventMetadata.SCHEMA_VERSION);
        } else {
            meta.put(EventMetadata.SCHEMA_VERSION, version);
        }
        return meta.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
