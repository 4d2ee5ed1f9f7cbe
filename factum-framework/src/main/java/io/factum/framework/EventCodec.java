package io.factum.framework;

/**
 * How domain events become stored events and back: a type name and bytes. The framework adds the
 * event id, the metadata (correlation and causation) and the content type itself.
 *
 * @param <E> events
 */
public interface EventCodec<E> {

    /** The stored event type of {@code event}, for example {@code "Deposited"}. */
    String typeOf(E event);

    /** The stored data of {@code event} (JSON unless {@link #isJson()} says otherwise). */
    byte[] encode(E event);

    /**
     * The domain event stored with this type and data.
     *
     * @throws IllegalArgumentException when the type is unknown or the data does not decode
     */
    E decode(String type, byte[] data);

    /** Whether {@link #encode} writes JSON; stored events are marked so. */
    default boolean isJson() {
        return true;
    }
}
