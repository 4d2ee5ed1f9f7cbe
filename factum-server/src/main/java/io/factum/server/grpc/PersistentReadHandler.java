package io.factum.server.grpc;

import io.factum.protocol.persistent.ReadReq;
import io.factum.protocol.persistent.ReadResp;
import io.factum.server.persistent.Consumer;
import io.factum.server.persistent.ConsumerSink;
import io.factum.server.persistent.ConsumerSpec;
import io.factum.server.persistent.DropReason;
import io.factum.server.persistent.GroupKey;
import io.factum.server.persistent.Message;
import io.factum.server.persistent.NackAction;
import io.factum.server.persistent.PersistentSubscriptions;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One consumer's PersistentSubscriptions.Read call. The first request carries the options; the
 * group then hands events to this call's sink, whose queue a virtual thread drains into the
 * transport at the client's pace. The queue never holds more than the consumer's buffer size (the
 * group hands out no more than that unacknowledged), so a slow consumer costs only its own buffer
 * and never holds up the group or the other consumers.
 *
 * <p>Only the sender thread writes to the call once it has started; failures found on gRPC's
 * thread are handed to it through {@link #terminate}.
 */
final class PersistentReadHandler implements StreamObserver<ReadReq>, ConsumerSink {

    private static final Object WAKE = new Object();

    private final PersistentSubscriptions subscriptions;
    private final PersistentCodec codec;
    private final AccessPolicy policy;
    private final Principal who;
    private final String from;
    private final FlowControlledSender<ReadResp> out;

    private volatile Optional<Consumer> consumer = Optional.empty();
    private volatile Optional<Thread> sender = Optional.empty();
    private volatile Optional<StatusRuntimeException> terminal = Optional.empty();
    private volatile LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(1);
    private volatile boolean uuidAsString;
    /** This consumer's place among the connection's subscriptions, held until the call ends. */
    private volatile Optional<ConnectionLimits.Slot> slot = Optional.empty();

    PersistentReadHandler(
            PersistentSubscriptions subscriptions,
            PersistentCodec codec,
            AccessPolicy policy,
            Principal who,
            String from,
            FlowControlledSender<ReadResp> out) {
        this.subscriptions = subscriptions;
        this.codec = codec;
        this.policy = policy;
        this.who = who;
        this.from = from;
        this.out = out;
        out.onCancel(this::cancelled);
    }

    @Override
    public void onNext(ReadReq request) {
        try {
            switch (request.getContentCase()) {
                case OPTIONS -> open(request.getOptions());
                case ACK -> requireConsumer().ack(ids(request.getAck().getIdsList()));
                case NACK -> nack(request.getNack());
                case CONTENT_NOT_SET -> throw GrpcErrors.invalidArgument("a request needs options, ack or nack");
            }
        } catch (RuntimeException e) {
            terminate(PersistentErrors.toStatus(e));
        }
    }

    @Override
    public void onError(Throwable t) {
        cancelled();
    }

    /** The client half-closed: it sends no more acks, so it cannot consume; end the call. */
    @Override
    public void onCompleted() {
        Optional<Consumer> joined = consumer;
        if (joined.isPresent()) {
            terminate(PersistentErrors.dropped(joined.get().key(), DropReason.STOPPED_BY_CONSUMER));
        } else {
            terminate(GrpcErrors.invalidArgument("the call ended before its options"));
        }
    }

    private void open(ReadReq.Options options) {
        if (consumer.isPresent()) {
            throw GrpcErrors.invalidArgument("options may be sent only once, in the first request");
        }
        GroupKey key =
                switch (options.getStreamOptionCase()) {
                    case STREAM_IDENTIFIER -> {
                        GroupKey k = codec.streamKey(
                                options.getStreamIdentifier(), options.getGroupName(), "options.stream_identifier");
                        policy.checkStream(who, StreamAccess.READ, k.stream());
                        yield k;
                    }
                    case ALL -> {
                        policy.checkReadAll(who);
                        yield codec.allKey(options.getGroupName());
                    }
                    case STREAMOPTION_NOT_SET ->
                        throw GrpcErrors.invalidArgument("options: 'stream_identifier' or 'all' is required");
                };
        PersistentSubscriptionsService.requireAuthenticated(policy, who, "consume persistent subscriptions");
        slot = Optional.of(ConnectionLimits.current().acquireSubscription());
        uuidAsString = options.getUuidOption().hasString();
        var spec = new ConsumerSpec(options.getBufferSize(), from, who.displayName());
        // Room for every unacknowledged message plus the wake-up marker of a termination.
        queue = new LinkedBlockingQueue<>(spec.bufferSize() + 1);
        // The sender is registered before the group can drop this consumer, so that a drop racing
        // with the confirmation goes through the sender thread, which sends the confirmation first.
        Thread thread = Thread.ofVirtual().name("factum-ps-consumer").unstarted(this::sendLoop);
        synchronized (this) {
            sender = Optional.of(thread);
        }
        try {
            consumer = Optional.of(subscriptions.connect(key, spec, this));
        } catch (RuntimeException e) {
            synchronized (this) {
                sender = Optional.empty();
            }
            slot.ifPresent(ConnectionLimits.Slot::release);
            throw e;
        }
        thread.start();
    }

    private void nack(ReadReq.Nack nack) {
        NackAction action =
                switch (nack.getAction()) {
                    case Unknown -> NackAction.UNKNOWN;
                    case Park -> NackAction.PARK;
                    case Retry -> NackAction.RETRY;
                    case Skip -> NackAction.SKIP;
                    case Stop -> NackAction.STOP;
                    case UNRECOGNIZED ->
                        throw GrpcErrors.invalidArgument("nack.action: " + nack.getActionValue() + " is not an action");
                };
        requireConsumer().nack(ids(nack.getIdsList()), action, nack.getReason());
    }

    private Consumer requireConsumer() {
        return consumer.orElseThrow(() -> GrpcErrors.invalidArgument("the first request must carry the options"));
    }

    private static List<UUID> ids(List<io.factum.protocol.shared.UUID> wire) {
        List<UUID> ids = new ArrayList<>(wire.size());
        for (int i = 0; i < wire.size(); i++) {
            ids.add(ProtoCodec.uuid(wire.get(i), "ids[" + i + "]"));
        }
        return ids;
    }

    // ---- ConsumerSink (called with the group's lock held: never blocks) ----

    @Override
    public void deliver(Message message) {
        if (!queue.offer(message)) {
            // Cannot happen while the group honours the buffer size; say so loudly if it does.
            terminate(GrpcErrors.toStatus(
                    new IllegalStateException("consumer queue overflow: more in flight than its buffer size")));
        }
    }

    @Override
    public void dropped(DropReason reason) {
        consumer.ifPresent(c -> terminate(PersistentErrors.dropped(c.key(), reason)));
    }

    // ---- ending ----

    /** Ends the call with {@code status}: through the sender thread once it runs, directly before. */
    private void terminate(StatusRuntimeException status) {
        boolean direct;
        synchronized (this) {
            if (terminal.isPresent()) {
                return;
            }
            terminal = Optional.of(status);
            direct = sender.isEmpty();
        }
        slot.ifPresent(ConnectionLimits.Slot::release);
        if (direct) {
            out.fail(status);
            return;
        }
        consumer.ifPresent(Consumer::disconnect);
        queue.offer(WAKE);
    }

    private void cancelled() {
        slot.ifPresent(ConnectionLimits.Slot::release);
        consumer.ifPresent(Consumer::disconnect);
        sender.ifPresent(Thread::interrupt);
    }

    private void sendLoop() {
        Consumer joined = consumer.orElseThrow();
        try {
            out.send(PersistentCodec.confirmation(joined.subscriptionId()));
            while (true) {
                Object item = queue.take();
                Optional<StatusRuntimeException> end = terminal;
                if (end.isPresent()) {
                    out.fail(end.get());
                    return;
                }
                if (item instanceof Message message) {
                    out.send(PersistentCodec.event(message, uuidAsString));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (FlowControlledSender.CallCancelledException e) {
            joined.disconnect();
        }
    }
}
