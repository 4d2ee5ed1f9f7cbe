package io.factum.server.append;

import io.factum.api.InvalidInputException;
import java.util.UUID;

/**
 * An append broke one of the store's size limits while its events were still arriving. Each
 * transport answers it in its own form (KurrentDB's maximum-append-size trailer, a v2 error detail,
 * a 400); {@link #asInvalidInput()} is the store's own form of the same refusal.
 */
public final class AppendLimitExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which limit was exceeded. */
    public sealed interface Limit {}

    /** More events than {@code StoreLimits.maxEventsPerAppend}. */
    public record TooManyEvents(int events, int limit) implements Limit {}

    /** One event larger than {@code StoreLimits.maxEventBytes}. */
    public record EventTooLarge(String stream, int index, UUID eventId, int sizeBytes, int limit) implements Limit {}

    /** The append, all streams together, larger than {@code StoreLimits.maxAppendBytes}. */
    public record AppendTooLarge(long sizeBytes, int limit) implements Limit {}

    private final transient Limit limit;
    private final InvalidInputException invalidInput;

    AppendLimitExceededException(Limit limit) {
        this(limit, describe(limit));
    }

    private AppendLimitExceededException(Limit limit, InvalidInputException invalidInput) {
        super(invalidInput.getMessage(), null, false, false);
        this.limit = limit;
        this.invalidInput = invalidInput;
    }

    public Limit limit() {
        return limit;
    }

    /** The refusal as the store words it: the field, the value and the limit. */
    public InvalidInputException asInvalidInput() {
        return invalidInput;
    }

    private static InvalidInputException describe(Limit limit) {
        return switch (limit) {
            case TooManyEvents t ->
                new InvalidInputException("events", t.events() + " events", "an append may carry at most " + t.limit());
            case EventTooLarge e ->
                new InvalidInputException(
                        "events[" + e.index() + "]",
                        e.eventId(),
                        "is " + e.sizeBytes() + " bytes, the limit is " + e.limit());
            case AppendTooLarge a ->
                new InvalidInputException(
                        "events", a.sizeBytes() + " bytes", "an append may carry at most " + a.limit() + " bytes");
        };
    }
}
