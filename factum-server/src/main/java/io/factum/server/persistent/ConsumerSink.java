package io.factum.server.persistent;

/**
 * Where a group hands a consumer its events. Implemented by the transport. Calls come with the
 * group's lock held, so they must not block: the group never hands a consumer more than its
 * buffer size of unacknowledged messages, so a queue of that capacity always has room.
 */
public interface ConsumerSink {

    /** One event to send; {@link Message#retryCount()} goes with it. */
    void deliver(Message message);

    /** The group ended this consumer; send no more and end the call with the reason. */
    void dropped(DropReason reason);
}
