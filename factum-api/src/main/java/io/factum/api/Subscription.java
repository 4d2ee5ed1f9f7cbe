package io.factum.api;

/** A running subscription. Closing it stops deliveries; it is safe from any thread, twice. */
public interface Subscription extends AutoCloseable {

    /** An identifier unique within the store, for logs and diagnostics. */
    String id();

    /** Stops the subscription; returns once no further callback will start. */
    @Override
    void close();
}
