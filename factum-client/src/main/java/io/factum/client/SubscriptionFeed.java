package io.factum.client;

import io.factum.api.RecordedEvent;
import io.factum.protocol.dcb.DcbGrpc;
import io.factum.protocol.dcb.SubscribeRequest;
import io.factum.protocol.dcb.SubscribeResponse;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.streams.StreamsGrpc;
import io.grpc.MethodDescriptor;
import java.util.Optional;

/**
 * How the messages of one subscription protocol read: which call carries it, which message is the
 * confirmation, and what each later message delivers. {@link RemoteSubscription} does the rest
 * (flow control, the delivery thread, stopping) the same way for every protocol. Stateless.
 *
 * @param <Q> the request message
 * @param <R> the response message
 */
sealed interface SubscriptionFeed<Q, R> permits SubscriptionFeed.Streams, SubscriptionFeed.Dcb {

    /** What one message asks of the listener. */
    sealed interface Delivery {
        record Event(RecordedEvent event) implements Delivery {}

        /** Every position below {@code position} was examined (the contract's checkpoint). */
        record Checkpoint(long position) implements Delivery {}

        record CaughtUp() implements Delivery {}

        /** Informational messages (fell behind, ...) that the contract has no callback for. */
        record Nothing() implements Delivery {}
    }

    MethodDescriptor<Q, R> method();

    /** The subscription id when {@code message} is the server's confirmation. */
    Optional<String> confirmation(R message);

    Delivery decode(R message);

    /** Subscriptions to a stream or to {@code $all}, over KurrentDB's {@code Streams.Read}. */
    record Streams() implements SubscriptionFeed<ReadReq, ReadResp> {
        @Override
        public MethodDescriptor<ReadReq, ReadResp> method() {
            return StreamsGrpc.getReadMethod();
        }

        @Override
        public Optional<String> confirmation(ReadResp message) {
            return message.hasConfirmation()
                    ? Optional.of(message.getConfirmation().getSubscriptionId())
                    : Optional.empty();
        }

        @Override
        public Delivery decode(ReadResp message) {
            return switch (message.getContentCase()) {
                case EVENT -> new Delivery.Event(WireCodec.event(message.getEvent()));
                // The server sends the last position it examined; the contract's checkpoint is one past it.
                case CHECKPOINT ->
                    new Delivery.Checkpoint(message.getCheckpoint().getCommitPosition() + 1);
                case CAUGHT_UP -> new Delivery.CaughtUp();
                default -> new Delivery.Nothing();
            };
        }
    }

    /** Subscriptions to a query, over Factum's {@code Dcb.Subscribe}. */
    record Dcb() implements SubscriptionFeed<SubscribeRequest, SubscribeResponse> {
        @Override
        public MethodDescriptor<SubscribeRequest, SubscribeResponse> method() {
            return DcbGrpc.getSubscribeMethod();
        }

        @Override
        public Optional<String> confirmation(SubscribeResponse message) {
            return message.hasConfirmation()
                    ? Optional.of(message.getConfirmation().getSubscriptionId())
                    : Optional.empty();
        }

        @Override
        public Delivery decode(SubscribeResponse message) {
            return switch (message.getContentCase()) {
                case EVENT -> new Delivery.Event(DcbCodec.event(message.getEvent()));
                // Already the contract's checkpoint: every position below it was examined.
                case CHECKPOINT -> new Delivery.Checkpoint(message.getCheckpoint());
                case CAUGHT_UP -> new Delivery.CaughtUp();
                default -> new Delivery.Nothing();
            };
        }
    }
}
