package io.factum.framework;

import io.factum.api.RecordedEvent;
import java.util.List;

/**
 * How domain events become stored events and back: a type name, a schema version and bytes. The
 * framework adds the event id, the metadata (correlation, causation, the schema version when it
 * is not 1) and the content type itself. {@link JacksonEventCodec} is the ready-made one, with
 * upcasting; a hand-written codec implements the first three methods.
 *
 * @param <E> events
 */
public interface EventCodec<E> {

    /** The stored event type of {@code event}, for example {@code "Deposited"}. */
    String typeOf(E event);

    /** The stored data of {@code event} (JSON unless {@link #isJson()} says otherwise). */
    byte[] encode(E event);

    /**
     * The domain event stored with this type and data at the current schema version.
     *
     * @throws IllegalArgumentException when the type is unknown or the data does not decode
     */
    E decode(String type, byte[] data);

    /** The schema version {@link #encode} writes {@code event} at (default 1). */
    default int schemaVersionOf(E event) {
        return 1;
    }

    /**
     * The domain events a stored event of this type, schema version and data stands for: one,
     * or several when an upcaster split an old event. The default reads version 1 only.
     *
     * @throws IllegalArgumentException when the type or version is unknown or the data does not
     *     decode
     */
    default List<E> decode(String type, int schemaVersion, byte[] data) {
        if (schemaVersion != 1) {
            throw new IllegalArgumentException(
                    type + " is stored at schema version " + schemaVersion + "; this codec reads version 1 only");
        }
        return List.of(decode(type, data));
    }

    /**
     * The domain events a stored event stands for, at the schema version its metadata names
     * ({@code $schemaVersion}, 1 when it names none).
     *
     * @throws IllegalArgumentException as {@link #decode(String, int, byte[])}
     */
    default List<E> decode(RecordedEvent event) {
        return decode(event.type(), EventMetadata.schemaVersion(event.metadata()), event.data());
    }

    /** Whether {@link #encode} writes JSON; stored events are marked so. */
    default boolean isJson() {
        return true;
    }
}
