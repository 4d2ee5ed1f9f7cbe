package io.factum.server.persistent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.StreamMetadataResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The groups' state in the store, in system streams named as KurrentDB names them:
 *
 * <ul>
 *   <li>{@value #CONFIG_STREAM}: one {@value #CONFIG_TYPE} event per change, holding every group
 *       (the last event wins);
 *   <li>{@code $persistentsubscription-<stream>::<group>-checkpoint}: {@value #CHECKPOINT_TYPE}
 *       events whose data is the last processed revision (a JSON number) or, for {@code $all},
 *       position ({@code "C:<p>/P:<p>"}); {@code $maxCount} 1;
 *   <li>{@code $persistentsubscription-<stream>::<group>-parked}: one link event ({@code $>}, data
 *       {@code <revision>@<stream>}) per parked event, with the reason in its metadata; replayed
 *       entries are hidden by raising the stream's {@code $tb}.
 * </ul>
 *
 * Thread-safe (stateless over a thread-safe store).
 */
final class GroupStorage {

    static final String CONFIG_STREAM = "$persistentSubscriptionConfig";
    static final String CONFIG_TYPE = "$PersistentConfig";
    static final String CHECKPOINT_TYPE = "$SubscriptionCheckpoint";
    static final String LINK_TYPE = "$>";

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final EventStore store;
    private final Clock clock;

    GroupStorage(EventStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    EventStore store() {
        return store;
    }

    /** The groups as last saved; none when nothing was ever saved. */
    List<GroupConfig> loadConfig() {
        return lastEvent(CONFIG_STREAM)
                .map(event -> ConfigCodec.decode(event.data()))
                .orElse(List.of());
    }

    void saveConfig(List<GroupConfig> groups) {
        store.append(
                CONFIG_STREAM,
                ExpectedVersion.any(),
                List.of(json(CONFIG_TYPE, ConfigCodec.encode(groups), new byte[0])));
    }

    /** The last processed revision or position, when a checkpoint was written. */
    OptionalLong readCheckpoint(GroupKey key) {
        Optional<RecordedEvent> last = lastEvent(key.checkpointStream());
        if (last.isEmpty()) {
            return OptionalLong.empty();
        }
        String text = new String(last.get().data(), StandardCharsets.UTF_8).trim();
        try {
            JsonNode node = JSON.readTree(text);
            if (node.isNumber()) {
                return OptionalLong.of(node.asLong());
            }
            String position = node.asText();
            int slash = position.indexOf("/P:");
            if (position.startsWith("C:") && slash > 2) {
                return OptionalLong.of(Long.parseLong(position.substring(2, slash)));
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalStateException("checkpoint of " + key + " is unreadable: '" + text + "'");
    }

    void writeCheckpoint(GroupKey key, long checkpoint, boolean first) {
        String data = key.isAll() ? "\"C:" + checkpoint + "/P:" + checkpoint + "\"" : Long.toString(checkpoint);
        store.append(
                key.checkpointStream(),
                ExpectedVersion.any(),
                List.of(json(CHECKPOINT_TYPE, data.getBytes(StandardCharsets.UTF_8), new byte[0])));
        if (first) {
            // Only the newest checkpoint matters; let retention reclaim the others.
            StreamMetadataResult current = store.getStreamMetadata(key.checkpointStream());
            if (current.metadata().maxCount().isEmpty()) {
                store.setStreamMetadata(
                        key.checkpointStream(),
                        ExpectedVersion.any(),
                        current.metadata().withMaxCount(1));
            }
        }
    }

    /** Next version to be written to the parked stream, and the first visible one. */
    record ParkedRange(long next, long truncatedBefore) {
        long count() {
            return Math.max(0, next - truncatedBefore);
        }
    }

    ParkedRange parkedRange(GroupKey key) {
        String stream = key.parkedStream();
        long next = lastVersion(stream) + 1;
        long tb = store.getStreamMetadata(stream).metadata().truncateBefore().orElse(0);
        return new ParkedRange(next, Math.min(tb, next));
    }

    /** Appends a link to the message's event; returns its version in the parked stream. */
    long park(GroupKey key, Message message, String reason) {
        RecordedEvent target = message.target();
        ObjectNode metadata = JSON.createObjectNode()
                .put("reason", reason)
                .put("added", clock.instant().toString())
                .put("retryCount", message.retryCount());
        byte[] data = (target.version() + "@" + target.stream()).getBytes(StandardCharsets.UTF_8);
        return store.append(key.parkedStream(), ExpectedVersion.any(), List.of(json(LINK_TYPE, data, bytes(metadata))))
                .streamVersion();
    }

    /** Parked entries from {@code fromVersion} on, at most {@code max}. */
    List<RecordedEvent> readParked(GroupKey key, long fromVersion, int max) {
        return store.readStream(key.parkedStream(), fromVersion, Direction.FORWARDS, max)
                .events();
    }

    /** Hides parked entries below {@code version}, which were replayed and processed. */
    void truncateParked(GroupKey key, long version) {
        StreamMetadataResult current = store.getStreamMetadata(key.parkedStream());
        store.setStreamMetadata(
                key.parkedStream(), ExpectedVersion.any(), current.metadata().withTruncateBefore(version));
    }

    /**
     * Forgets a deleted group's checkpoint and parked events: both streams are truncated past their
     * end (rather than soft-deleted), so that a new group of the same name starts clean and no later
     * metadata write can make the old entries visible again.
     */
    void erase(GroupKey key) {
        for (String stream : List.of(key.checkpointStream(), key.parkedStream())) {
            long last = lastVersion(stream);
            if (last >= 0) {
                StreamMetadata metadata = store.getStreamMetadata(stream).metadata();
                store.setStreamMetadata(stream, ExpectedVersion.any(), metadata.withTruncateBefore(last + 1));
            }
        }
    }

    /** The target of a link event ({@code <revision>@<stream>}); empty when it is gone or malformed. */
    Optional<RecordedEvent> resolveLink(RecordedEvent link) {
        String text = new String(link.data(), StandardCharsets.UTF_8);
        int at = text.indexOf('@');
        if (at <= 0 || at == text.length() - 1) {
            return Optional.empty();
        }
        try {
            long version = Long.parseLong(text.substring(0, at));
            String stream = text.substring(at + 1);
            List<RecordedEvent> found =
                    store.readStream(stream, version, Direction.FORWARDS, 1).events();
            return found.isEmpty() || found.getFirst().version() != version
                    ? Optional.empty()
                    : Optional.of(found.getFirst());
        } catch (NumberFormatException | StreamDeletedException e) {
            return Optional.empty();
        } catch (io.factum.api.InvalidInputException e) {
            return Optional.empty(); // a link naming an invalid stream resolves to nothing
        }
    }

    private Optional<RecordedEvent> lastEvent(String stream) {
        ReadStreamResult result = store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1);
        return result.events().isEmpty()
                ? Optional.empty()
                : Optional.of(result.events().getFirst());
    }

    /** The stream's last version, visible or not; -1 when it has none. */
    private long lastVersion(String stream) {
        return switch (store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1)) {
            case ReadStreamResult.Found found -> found.lastStreamVersion();
            case ReadStreamResult.NotFound notFound -> -1;
        };
    }

    private static EventData json(String type, byte[] data, byte[] metadata) {
        return new EventData(UUID.randomUUID(), type, data, metadata, io.factum.api.ContentType.JSON);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
