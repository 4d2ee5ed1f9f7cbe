package io.factum.framework;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/** A state as JSON through Jackson (records as they are), under a schema version you choose. */
public final class JsonSnapshotCodec<S> implements SnapshotCodec<S> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int schemaVersion;
    private final ObjectReader reader;
    private final ObjectWriter writer;

    private JsonSnapshotCodec(Class<S> type, int schemaVersion) {
        this.schemaVersion = schemaVersion;
        this.reader = JSON.readerFor(Objects.requireNonNull(type, "type"));
        this.writer = JSON.writerFor(type);
    }

    /** @param schemaVersion raise it whenever the state's shape or meaning changes */
    public static <S> JsonSnapshotCodec<S> of(Class<S> type, int schemaVersion) {
        return new JsonSnapshotCodec<>(type, schemaVersion);
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public byte[] encode(S state) {
        try {
            return writer.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new UncheckedIOException("the state does not serialise: " + e.getMessage(), e);
        }
    }

    @Override
    public S decode(byte[] data) {
        try {
            return reader.readValue(data);
        } catch (IOException e) {
            throw new IllegalArgumentException("the state does not decode: " + e.getMessage(), e);
        }
    }
}
