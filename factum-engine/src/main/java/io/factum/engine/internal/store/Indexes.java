package io.factum.engine.internal.store;

import io.factum.api.RecordedEvent;
import io.factum.engine.internal.index.StreamIndex;
import java.io.IOException;

/**
 * The store's two derived indexes, both {@link StreamIndex} instances with their own files and
 * "indexed up to" checkpoints: {@code streams} maps (stream, version) to a position; {@code tags}
 * maps each type and tag key ({@link TagKeys}) to the positions of the records carrying it, with
 * the position as the entry's version.
 */
public record Indexes(StreamIndex streams, StreamIndex tags) {

    /** Indexes one durable record in both. Writer thread only. */
    void add(RecordedEvent r) throws IOException {
        streams.add(r.stream(), r.version(), r.position());
        tags.add(TagKeys.of(r), r.position(), r.position());
    }
}
