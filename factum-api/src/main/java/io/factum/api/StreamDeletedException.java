package io.factum.api;

/** The stream was tombstoned (hard-deleted): it can never be read or written again. */
public final class StreamDeletedException extends FactumException {
    private final String stream;

    public StreamDeletedException(String stream) {
        super("stream '" + stream + "' is deleted (tombstoned) and can no longer be read or written");
        this.stream = stream;
    }

    public String stream() {
        return stream;
    }
}
