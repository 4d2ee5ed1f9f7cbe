package io.factum.api;

/**
 * Where a subscription starts. For a stream subscription the number is a stream version, for a
 * {@code $all} subscription a global position. {@link After} is exclusive, as in KurrentDB: a
 * subscriber that processed version 41 resumes with {@code after(41)} and receives 42 first.
 */
public sealed interface SubscribeFrom permits SubscribeFrom.Start, SubscribeFrom.After, SubscribeFrom.End {

    /** From the first event. */
    record Start() implements SubscribeFrom {}

    /** From the event after this version or position. */
    record After(long versionOrPosition) implements SubscribeFrom {
        public After {
            if (versionOrPosition < 0) {
                throw new InvalidInputException("after", versionOrPosition, "must be >= 0");
            }
        }
    }

    /** Only events committed after the subscription started. */
    record End() implements SubscribeFrom {}

    static SubscribeFrom start() {
        return new Start();
    }

    static SubscribeFrom after(long versionOrPosition) {
        return new After(versionOrPosition);
    }

    static SubscribeFrom end() {
        return new End();
    }
}
