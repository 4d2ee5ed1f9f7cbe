package io.factum.api;

/**
 * An append's expectation did not hold. Nothing of the append was written.
 *
 * @see ExpectedVersion
 */
public final class WrongExpectedVersionException extends FactumException {
    private final String stream;
    private final ExpectedVersion expected;
    private final long actualVersion;

    /**
     * @param actualVersion the stream's version at the time of the check, {@link
     *     ExpectedVersion#NO_STREAM_VERSION} when it has no events
     */
    public WrongExpectedVersionException(String stream, ExpectedVersion expected, long actualVersion) {
        super("wrong expected version for stream '" + stream + "': expected " + describe(expected) + ", actual "
                + (actualVersion == ExpectedVersion.NO_STREAM_VERSION ? "no stream" : actualVersion));
        this.stream = stream;
        this.expected = expected;
        this.actualVersion = actualVersion;
    }

    public String stream() {
        return stream;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    public long actualVersion() {
        return actualVersion;
    }

    private static String describe(ExpectedVersion expected) {
        return switch (expected) {
            case ExpectedVersion.Any a -> "any";
            case ExpectedVersion.NoStream n -> "no stream";
            case ExpectedVersion.StreamExists s -> "stream exists";
            case ExpectedVersion.Exact e -> Long.toString(e.version());
        };
    }
}
