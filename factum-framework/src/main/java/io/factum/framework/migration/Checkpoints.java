package io.factum.framework.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.StreamMetadata;
import io.factum.api.WrongExpectedVersionException;
import java.io.IOException;
import java.util.List;

/**
 * A migration's checkpoint, kept in the store in {@code $migration-<name>}: the {@code $all}
 * position everything before which is migrated. Each page appends one, expecting the version it
 * read, so two runs of the same migration at once stop each other.
 */
final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TYPE = "$migrationCheckpoint";

    private final EventStore store;
    private final String stream;
    private long version = -1;

    Checkpoints(EventStore store, String name) {
        this.store = store;
        this.stream = "$migration-" + name;
    }

    String stream() {
        return stream;
    }

    /** The position to start from (0 when the migration never ran). */
    long load() {
        ReadStreamResult result = store.readStream(stream, Long.MAX_VALUE, Direction.BACKWARDS, 1);
        if (!(result instanceof ReadStreamResult.Found found) || found.events().isEmpty()) {
            version = result instanceof ReadStreamResult.Found f ? f.lastStreamVersion() : -1;
            return 0;
        }
        version = found.events().getFirst().version();
        try {
            JsonNode node = JSON.readTree(found.events().getFirst().data());
            return node.path("position").asLong(0);
        } catch (IOException e) {
            throw new MigrationException(
                    "the checkpoint in " + stream + " is not JSON; delete that stream to start over");
        }
    }

    void save(long position) {
        if (version < 0) {
            store.setStreamMetadata(
                    stream, ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
        }
        String json = JSON.createObjectNode().put("position", position).toString();
        ExpectedVersion expected = version < 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(version);
        try {
            version = store.append(stream, expected, List.of(EventData.json(TYPE, json)))
                    .streamVersion();
        } catch (WrongExpectedVersionException e) {
            throw new MigrationException(
                    "another run of this migration moved its checkpoint (" + stream + "): run one at a time", e);
        }
    }
}
