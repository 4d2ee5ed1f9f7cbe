package io.factum.server.persistent;

import io.factum.api.RecordedEvent;
import java.util.Optional;
import java.util.UUID;

/**
 * One delivery unit of a group.
 *
 * @param event the event (the link's target when links are resolved); empty when a link's target no
 *     longer exists
 * @param link the link event when {@code event} was reached through one
 * @param sequence the revision ($all: position) of the event in the group's source, which orders
 *     checkpoints; {@code -1} for an event replayed from the parked stream
 * @param parkedVersion its revision in the parked stream when replayed from there, else {@code -1}
 * @param retryCount how many times it was delivered before
 */
public record Message(
        Optional<RecordedEvent> event,
        Optional<RecordedEvent> link,
        long sequence,
        long parkedVersion,
        int retryCount) {

    public Message {
        if (event.isEmpty() && link.isEmpty()) {
            throw new IllegalArgumentException("a message needs an event or a link");
        }
    }

    static Message of(RecordedEvent event, long sequence) {
        return new Message(Optional.of(event), Optional.empty(), sequence, -1, 0);
    }

    /** The id consumers acknowledge it with: the link's id when there is a link (as the clients do). */
    public UUID id() {
        return link.orElseGet(event::orElseThrow).eventId();
    }

    /** The event as the consumer sees it first: the link when there is one, else the event. */
    public RecordedEvent original() {
        return link.orElseGet(event::orElseThrow);
    }

    /** The event whose stream decides pinning: the resolved event when there is one. */
    RecordedEvent target() {
        return event.orElseGet(link::orElseThrow);
    }

    boolean fromParked() {
        return parkedVersion >= 0;
    }

    Message retried() {
        return new Message(event, link, sequence, parkedVersion, retryCount + 1);
    }
}
