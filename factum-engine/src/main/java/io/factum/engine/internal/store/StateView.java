package io.factum.engine.internal.store;

import io.factum.api.Query;
import io.factum.api.StreamMetadataResult;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/** What the decider may know about the store: committed state, possibly with pending writes over it. */
public interface StateView {

    /** The stream's last version; -1 when it has no events; {@code Long.MAX_VALUE} when tombstoned. */
    long lastVersion(String stream);

    /** The id and position of the stream's event at this version, if it exists. */
    Optional<EventRef> eventAt(String stream, long version);

    /** The stream's current metadata (from its metastream). */
    StreamMetadataResult metadata(String stream);

    /** The position of the newest record, pending ones included; -1 when none. */
    long headPosition();

    /**
     * The position of the first record, pending ones included, that matches the query and lies
     * after {@code after}; empty when there is none (an append condition holds).
     */
    OptionalLong firstMatchAfter(Query query, long after);

    /** Where an event of a stream sits. */
    record EventRef(UUID eventId, long position) {}
}
