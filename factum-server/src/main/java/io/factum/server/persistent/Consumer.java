package io.factum.server.persistent;

import java.util.List;
import java.util.UUID;

/**
 * A consumer connected to a group: the transport's handle to acknowledge, reject and leave. Its
 * counters are guarded by the group's lock.
 */
public final class Consumer {

    private final PersistentGroup group;
    private final ConsumerSpec spec;
    private final ConsumerSink sink;
    private final long number;

    int inFlight;
    long totalItems;
    int itemsInWindow;
    int itemsPerSecond;
    long countSinceLastMeasurement;
    boolean gone;

    Consumer(PersistentGroup group, ConsumerSpec spec, ConsumerSink sink, long number) {
        this.group = group;
        this.spec = spec;
        this.sink = sink;
        this.number = number;
    }

    /** The subscription id sent in the confirmation: the group's key, as KurrentDB sends it. */
    public String subscriptionId() {
        return group.key().toString();
    }

    public GroupKey key() {
        return group.key();
    }

    /** The events with these ids (as delivered to this consumer) were processed. */
    public void ack(List<UUID> ids) {
        group.ack(this, ids);
    }

    /** The events with these ids failed; {@code action} says what to do with them. */
    public void nack(List<UUID> ids, NackAction action, String reason) {
        group.nack(this, ids, action, reason);
    }

    /** The consumer went away: its unacknowledged events are retried by the others. */
    public void disconnect() {
        group.disconnect(this);
    }

    ConsumerSpec spec() {
        return spec;
    }

    ConsumerSink sink() {
        return sink;
    }

    boolean hasSlot() {
        return !gone && inFlight < spec.bufferSize();
    }

    @Override
    public String toString() {
        return "consumer " + number + " of " + group.key();
    }
}
