package io.factum.framework.migration;

import io.factum.api.EventData;
import io.factum.api.RecordedEvent;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a migration does to each source stream and event. Must be deterministic: the verification
 * runs it again and expects the same events, and a resumed migration relies on it. Implementations
 * loaded by {@code factum migrate --transform CLASS} need a public no-argument constructor.
 */
public interface StreamTransform {

    /** The stream a source stream's events go to, or null to leave that stream out. */
    @Nullable
    String targetStream(String sourceStream);

    /**
     * The events one source event becomes, in order: usually one, several to split it, none to
     * drop it. Their ids are replaced by ids derived from the source event's id (so a resumed
     * migration recognises what it wrote); their metadata, when given, must be a JSON object or
     * empty, and gains {@code $migration} and {@code $migratedFrom}.
     */
    List<EventData> transform(RecordedEvent event);

    /** The event as it is: the same type, data, metadata, content type and tags. */
    static EventData copy(RecordedEvent event) {
        return new EventData(
                event.eventId(), event.type(), event.data(), event.metadata(), event.contentType(), event.tags());
    }
}
