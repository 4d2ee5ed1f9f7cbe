package io.factum.server.grpc;

import io.factum.api.DeleteResult;
import io.factum.api.EventStore;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.protocol.streams.BatchAppendReq;
import io.factum.protocol.streams.BatchAppendResp;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.DeleteResp;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.streams.StreamsGrpc;
import io.factum.protocol.streams.TombstoneReq;
import io.factum.protocol.streams.TombstoneResp;
import io.factum.server.append.AppendGate;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;

/**
 * The Streams service of the KurrentDB client protocol over any {@link EventStore}. Calls run on
 * virtual threads, so the store's blocking calls (an append waits for its group's fsync) hold no
 * platform thread.
 */
public final class StreamsService extends StreamsGrpc.StreamsImplBase {

    private final EventStore store;
    private final AccessPolicy policy;
    private final AppendGate gate;
    private final ReadHandler reads;
    private final SubscribeHandler subscriptions;

    /** A service counting into metrics of its own, for a server that serves nothing else. */
    public StreamsService(EventStore store, AccessPolicy policy, Clock clock) {
        this(store, policy, clock, new ServerMetrics());
    }

    private StreamsService(EventStore store, AccessPolicy policy, Clock clock, ServerMetrics metrics) {
        this(store, policy, clock, metrics, new AppendGate(store, policy, metrics));
    }

    /**
     * @param metrics where reads and subscriptions are counted (shared with HTTP)
     * @param gate the append gate every transport shares
     */
    public StreamsService(EventStore store, AccessPolicy policy, Clock clock, ServerMetrics metrics, AppendGate gate) {
        this.store = store;
        this.policy = policy;
        this.gate = gate;
        this.reads = new ReadHandler(store, policy, metrics);
        this.subscriptions = new SubscribeHandler(store, policy, clock, metrics);
    }

    /** Ends the live subscriptions, telling their clients the server is stopping. */
    public void endSubscriptions(String reason) {
        subscriptions.endAll(reason);
    }

    @Override
    public void read(ReadReq request, StreamObserver<ReadResp> responseObserver) {
        var out = new FlowControlledSender<>((ServerCallStreamObserver<ReadResp>) responseObserver);
        ReadReq.Options options = request.getOptions();
        Principal who = CallPrincipal.current();
        switch (options.getCountOptionCase()) {
            // A read blocks whenever the client is slower than the store. It must not block here:
            // this thread runs the call's serialized executor, which is also what delivers the
            // transport's "ready again" signal the read waits for. Blocking here, each full buffer
            // (every ~100 events) cost the sender's 100 ms safety-net timeout: ~1,000 events/s.
            case COUNT ->
                Thread.ofVirtual()
                        .name("factum-read")
                        .start(Context.current()
                                .wrap(() -> guarded(out, () -> {
                                    reads.read(options, who, out);
                                    out.complete();
                                })));
            case SUBSCRIPTION -> guarded(out, () -> subscriptions.subscribe(options, who, out));
            case COUNTOPTION_NOT_SET ->
                out.fail(GrpcErrors.invalidArgument("options: 'count' or 'subscription' is required"));
        }
    }

    private static void guarded(FlowControlledSender<ReadResp> out, Runnable work) {
        try {
            work.run();
        } catch (FlowControlledSender.CallCancelledException e) {
            // The client went away; nothing to answer.
        } catch (RuntimeException e) {
            out.fail(e);
        }
    }

    @Override
    public StreamObserver<AppendReq> append(StreamObserver<AppendResp> responseObserver) {
        return new AppendHandler(
                gate, CallPrincipal.current(), (ServerCallStreamObserver<AppendResp>) responseObserver);
    }

    @Override
    public StreamObserver<BatchAppendReq> batchAppend(StreamObserver<BatchAppendResp> responseObserver) {
        return new BatchAppendHandler(gate, CallPrincipal.current(), responseObserver);
    }

    @Override
    public void delete(DeleteReq request, StreamObserver<DeleteResp> responseObserver) {
        try {
            var options = request.getOptions();
            String stream = ProtoCodec.streamName(options.getStreamIdentifier(), "options.stream_identifier");
            var expected = ExpectedVersions.of(options);
            policy.checkStream(CallPrincipal.current(), StreamAccess.DELETE, stream);
            DeleteResult result = store.delete(stream, expected);
            var reply = DeleteResp.newBuilder();
            if (result.position() < 0) {
                reply.setNoPosition(Empty.getDefaultInstance());
            } else {
                reply.setPosition(DeleteResp.Position.newBuilder()
                        .setCommitPosition(result.position())
                        .setPreparePosition(result.position()));
            }
            responseObserver.onNext(reply.build());
            responseObserver.onCompleted();
        } catch (RuntimeException e) {
            responseObserver.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void tombstone(TombstoneReq request, StreamObserver<TombstoneResp> responseObserver) {
        try {
            var options = request.getOptions();
            String stream = ProtoCodec.streamName(options.getStreamIdentifier(), "options.stream_identifier");
            var expected = ExpectedVersions.of(options);
            policy.checkStream(CallPrincipal.current(), StreamAccess.DELETE, stream);
            DeleteResult result = store.tombstone(stream, expected);
            var reply = TombstoneResp.newBuilder();
            if (result.position() < 0) {
                reply.setNoPosition(Empty.getDefaultInstance());
            } else {
                reply.setPosition(TombstoneResp.Position.newBuilder()
                        .setCommitPosition(result.position())
                        .setPreparePosition(result.position()));
            }
            responseObserver.onNext(reply.build());
            responseObserver.onCompleted();
        } catch (RuntimeException e) {
            responseObserver.onError(GrpcErrors.toStatus(e));
        }
    }
}
