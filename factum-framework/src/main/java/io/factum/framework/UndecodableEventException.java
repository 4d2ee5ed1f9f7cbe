package io.factum.framework;

/**
 * A stored event that the {@link EventCodec} cannot turn into a domain event: an unknown type, or
 * data of another shape. The command is not decided, since its state would be wrong.
 */
public final class UndecodableEventException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UndecodableEventException(String stream, long version, String type, RuntimeException cause) {
        super(
                "event " + version + " of stream '" + stream + "' (type '" + type + "') does not decode: "
                        + cause.getMessage() + "; register its type with the codec, or upcast it",
                cause);
    }
}
