package io.factum.framework;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.ContentType;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamMetadata;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Snapshots of entities, kept in the store itself: each entity's snapshots in a stream of their
 * own, capped by {@code $maxCount}, newest last. A snapshot event holds the codec's bytes of the
 * state as its data, and in its metadata what the state reflects: the entity stream, the version
 * and id of the last event folded into it, the state's schema version, and the ids of the events
 * just before it (so a command redelivered soon after a snapshot is still recognised).
 */
final class SnapshotStore<S> {
    /** Event type of a snapshot ({@code $}: a system type, which projections skip). */
    static final String TYPE = "$snapshot";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EventStore store;
    private final SnapshotCodec<S> codec;
    private final Function<String, String> streamOf;
    private final long kept;

    SnapshotStore(EventStore store, SnapshotCodec<S> codec, Function<String, String> streamOf, long kept) {
        this.store = Objects.requireNonNull(store, "store");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.streamOf = Objects.requireNonNull(streamOf, "streamOf");
        this.kept = kept;
    }

    /**
     * A usable snapshot.
     *
     * @param version the entity stream version of the last event folded into the state
     * @param eventId that event's id, to check the stream still holds it
     * @param recentEventIds the ids of the events up to and including that one, oldest first
     */
    record Snapshot<S>(S state, long version, UUID eventId, List<UUID> recentEventIds) {}

    /**
     * What the entity's snapshot stream holds.
     *
     * @param usable the newest snapshot, when there is one this code can use
     * @param ignored why the newest snapshot is not usable (null when it is, or there is none)
     * @param streamVersion the snapshot stream's version (-1: no snapshot was ever written)
     */
    record Latest<S>(@Nullable Snapshot<S> usable, @Nullable String ignored, long streamVersion) {}

    String streamOf(String entityStream) {
        return Objects.requireNonNull(streamOf.apply(entityStream), "snapshot stream of " + entityStream);
    }

    Latest<S> latest(String entityStream) {
        ReadStreamResult result = store.readStream(streamOf(entityStream), Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            long version = result instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : -1;
            return new Latest<>(null, null, version);
        }
        RecordedEvent event = found.events().getFirst();
        long streamVersion = Math.max(event.version(), found.lastStreamVersion());
        try {
            return new Latest<>(parse(entityStream, event), null, streamVersion);
        } catch (IgnoredSnapshot e) {
            return new Latest<>(null, e.getMessage(), streamVersion);
        }
    }

    private Snapshot<S> parse(String entityStream, RecordedEvent event) {
        JsonNode meta;
        try {
            meta = JSON.readTree(event.metadata());
        } catch (IOException e) {
            throw new IgnoredSnapshot("its metadata is not JSON: " + e.getMessage());
        }
        if (meta == null || !meta.path("$snapshotOf").asText("").equals(entityStream)) {
            throw new IgnoredSnapshot("it is not a snapshot of " + entityStream);
        }
        int schema = meta.path("$schemaVersion").asInt(Integer.MIN_VALUE);
        if (schema != codec.schemaVersion()) {
            throw new IgnoredSnapshot(
                    "it has state schema version " + schema + ", the code has " + codec.schemaVersion());
        }
        S state;
        try {
            state = codec.decode(event.data());
        } catch (RuntimeException e) {
            throw new IgnoredSnapshot("its state does not decode: " + e);
        }
        try {
            long version = meta.path("$version").asLong(-1);
            if (version < 0) {
                throw new IllegalArgumentException("no $version");
            }
            UUID eventId = UUID.fromString(meta.path("$eventId").asText());
            return new Snapshot<>(
                    state, version, eventId, ids(meta.path("$recentEventIds").asText("")));
        } catch (IllegalArgumentException e) {
            throw new IgnoredSnapshot("its metadata is incomplete: " + e.getMessage());
        }
    }

    /**
     * Stores a snapshot if the snapshot stream is still at {@code expectedStreamVersion}; false
     * when another writer stored one meanwhile (theirs is as good).
     */
    boolean write(String entityStream, Snapshot<S> snapshot, long expectedStreamVersion) {
        String stream = streamOf(entityStream);
        if (expectedStreamVersion < 0) {
            // Before the first snapshot, so that a crash in between cannot leave an uncapped stream.
            store.setStreamMetadata(
                    stream, ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(kept));
        }
        ObjectNode meta = JSON.createObjectNode()
                .put("$snapshotOf", entityStream)
                .put("$version", snapshot.version())
                .put("$eventId", snapshot.eventId().toString())
                .put("$schemaVersion", codec.schemaVersion())
                .put("$recentEventIds", text(snapshot.recentEventIds()));
        byte[] metadata = meta.toString().getBytes(StandardCharsets.UTF_8);
        UUID id = UUID.nameUUIDFromBytes((entityStream + "/" + snapshot.version() + "/" + codec.schemaVersion())
                .getBytes(StandardCharsets.UTF_8));
        EventData event = new EventData(
                id,
                TYPE,
                codec.encode(snapshot.state()),
                metadata,
                codec.isJson() ? ContentType.JSON : ContentType.BINARY,
                List.of());
        ExpectedVersion expected =
                expectedStreamVersion < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(expectedStreamVersion);
        try {
            store.append(stream, expected, List.of(event));
            return true;
        } catch (WrongExpectedVersionException e) {
            return false;
        }
    }

    private static String text(List<UUID> ids) {
        ByteBuffer bytes = ByteBuffer.allocate(ids.size() * 16);
        for (UUID id : ids) {
            bytes.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static List<UUID> ids(String text) {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(text));
        if (bytes.remaining() % 16 != 0) {
            throw new IllegalArgumentException("$recentEventIds is not a whole number of ids");
        }
        List<UUID> ids = new ArrayList<>(bytes.remaining() / 16);
        while (bytes.hasRemaining()) {
            ids.add(new UUID(bytes.getLong(), bytes.getLong()));
        }
        return ids;
    }

    /** Why the newest snapshot cannot be used; it is then rebuilt from the events. */
    private static final class IgnoredSnapshot extends RuntimeException {
        IgnoredSnapshot(String message) {
            super(message, null, false, false);
        }
    }
}
