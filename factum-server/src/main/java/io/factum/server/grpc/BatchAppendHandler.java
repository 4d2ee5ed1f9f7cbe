package io.factum.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.factum.api.AccessDeniedException;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.InvalidInputException;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.shared.AllStreamPosition;
import io.factum.protocol.shared.BadRequest;
import io.factum.protocol.shared.MaximumAppendSizeExceeded;
import io.factum.protocol.shared.StreamDeleted;
import io.factum.protocol.shared.UUID;
import io.factum.protocol.shared.WrongExpectedVersion;
import io.factum.protocol.streams.BatchAppendReq;
import io.factum.protocol.streams.BatchAppendResp;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * One Streams.BatchAppend call: many appends multiplexed by correlation id, each possibly spread over
 * several requests. Appends run concurrently (so they share the store's group commit) and answer in
 * completion order. Both the appends being assembled and those in flight are bounded per call.
 */
final class BatchAppendHandler implements StreamObserver<BatchAppendReq> {

    /** Appends one call may have assembling or in flight; a client beyond it waits (flow control). */
    static final int MAX_PENDING = 512;

    private final EventStore store;
    private final AccessPolicy policy;
    private final Principal who;
    private final StreamObserver<BatchAppendResp> response;
    private final Map<UUID, Pending> assembling = new HashMap<>();
    private final Semaphore inFlight = new Semaphore(MAX_PENDING);
    private volatile boolean cancelled;

    BatchAppendHandler(EventStore store, AccessPolicy policy, Principal who, StreamObserver<BatchAppendResp> response) {
        this.store = store;
        this.policy = policy;
        this.who = who;
        this.response = response;
    }

    private static final class Pending {
        final BatchAppendReq.Options options;
        final List<EventData> events = new ArrayList<>();
        long bytes;
        RuntimeException failure;

        Pending(BatchAppendReq.Options options) {
            this.options = options;
        }
    }

    @Override
    public void onNext(BatchAppendReq request) {
        if (cancelled) {
            return;
        }
        UUID correlation = request.getCorrelationId();
        Pending pending = assembling.get(correlation);
        if (pending == null) {
            pending = new Pending(request.getOptions());
            if (!request.hasOptions()) {
                pending.failure = GrpcErrors.invalidArgument(
                        "batch append: the first request of correlation id " + correlation + " carries no options");
            } else if (assembling.size() >= MAX_PENDING) {
                pending.failure = GrpcErrors.invalidArgument(
                        "batch append: more than " + MAX_PENDING + " appends are being assembled on this call");
            }
            assembling.put(correlation, pending);
        }
        add(pending, request);
        if (request.getIsFinal()) {
            assembling.remove(correlation);
            submit(correlation, pending);
        }
    }

    private void add(Pending pending, BatchAppendReq request) {
        if (pending.failure != null) {
            return;
        }
        var limits = store.limits();
        try {
            for (BatchAppendReq.ProposedMessage message : request.getProposedMessagesList()) {
                if (pending.events.size() >= limits.maxEventsPerAppend()) {
                    throw new InvalidInputException(
                            "events",
                            pending.events.size() + 1,
                            "at most " + limits.maxEventsPerAppend() + " events per append");
                }
                EventData event = ProtoCodec.eventData(
                        message.getId(),
                        message.getMetadataMap(),
                        message.getData(),
                        message.getCustomMetadata(),
                        pending.events.size());
                pending.bytes += event.data().length + event.metadata().length;
                if (pending.bytes > limits.maxAppendBytes()) {
                    throw new AppendTooLarge(limits.maxAppendBytes());
                }
                pending.events.add(event);
            }
        } catch (RuntimeException e) {
            pending.failure = e;
            pending.events.clear();
        }
    }

    private void submit(UUID correlation, Pending pending) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Thread.ofVirtual().name("batch-append").start(() -> {
            try {
                reply(correlation, pending, run(pending));
            } finally {
                inFlight.release();
            }
        });
    }

    private BatchAppendResp.Builder run(Pending pending) {
        var out = BatchAppendResp.newBuilder();
        try {
            if (pending.failure != null) {
                throw pending.failure;
            }
            String stream = ProtoCodec.streamName(pending.options.getStreamIdentifier(), "options.stream_identifier");
            ExpectedVersion expected = expected(pending.options);
            policy.checkStream(who, StreamAccess.WRITE, stream);
            return out.setSuccess(success(store.append(stream, expected, pending.events)));
        } catch (RuntimeException e) {
            return out.setError(error(e));
        }
    }

    private static BatchAppendResp.Success success(AppendResult result) {
        var success = BatchAppendResp.Success.newBuilder();
        if (result.streamVersion() < 0) {
            success.setNoStream(com.google.protobuf.Empty.getDefaultInstance());
        } else {
            success.setCurrentRevision(result.streamVersion());
        }
        if (result.position() < 0) {
            success.setNoPosition(com.google.protobuf.Empty.getDefaultInstance());
        } else {
            success.setPosition(AllStreamPosition.newBuilder()
                    .setCommitPosition(result.position())
                    .setPreparePosition(result.position()));
        }
        return success.build();
    }

    private void reply(UUID correlation, Pending pending, BatchAppendResp.Builder out) {
        out.setCorrelationId(correlation).setStreamIdentifier(pending.options.getStreamIdentifier());
        var options = pending.options;
        var empty = com.google.protobuf.Empty.getDefaultInstance();
        switch (options.getExpectedStreamPositionCase()) {
            case STREAM_POSITION -> out.setStreamPosition(options.getStreamPosition());
            case NO_STREAM -> out.setNoStream(empty);
            case ANY -> out.setAny(empty);
            case STREAM_EXISTS -> out.setStreamExists(empty);
            case EXPECTEDSTREAMPOSITION_NOT_SET -> {}
        }
        synchronized (this) {
            if (!cancelled) {
                response.onNext(out.build());
            }
        }
    }

    static ExpectedVersion expected(BatchAppendReq.Options options) {
        return switch (options.getExpectedStreamPositionCase()) {
            case STREAM_POSITION -> ProtoCodec.exact(options.getStreamPosition(), "options.stream_position");
            case NO_STREAM -> ExpectedVersion.noStream();
            case ANY -> ExpectedVersion.any();
            case STREAM_EXISTS -> ExpectedVersion.streamExists();
            case EXPECTEDSTREAMPOSITION_NOT_SET ->
                throw GrpcErrors.invalidArgument("options.expected_stream_position is required");
        };
    }

    /** The error forms of KurrentDB's batch append: a status whose details name the failure. */
    static com.google.rpc.Status error(RuntimeException e) {
        return switch (e) {
            case WrongExpectedVersionException w -> status(Code.ALREADY_EXISTS, w.getMessage(), wrongExpected(w));
            case StreamDeletedException d ->
                status(
                        Code.FAILED_PRECONDITION,
                        d.getMessage(),
                        StreamDeleted.newBuilder()
                                .setStreamIdentifier(ProtoCodec.streamIdentifier(d.stream()))
                                .build());
            case AccessDeniedException a ->
                status(
                        Code.PERMISSION_DENIED,
                        a.getMessage(),
                        io.factum.protocol.shared.AccessDenied.getDefaultInstance());
            case AppendTooLarge t ->
                status(
                        Code.INVALID_ARGUMENT,
                        t.getMessage(),
                        MaximumAppendSizeExceeded.newBuilder()
                                .setMaxAppendSize(t.limit)
                                .build());
            default -> {
                var status = GrpcErrors.toStatus(e).getStatus();
                String message =
                        status.getDescription() == null ? status.getCode().toString() : status.getDescription();
                yield status(
                        Code.forNumber(status.getCode().value()),
                        message,
                        BadRequest.newBuilder().setMessage(message).build());
            }
        };
    }

    private static WrongExpectedVersion wrongExpected(WrongExpectedVersionException w) {
        var out = WrongExpectedVersion.newBuilder();
        var empty = com.google.protobuf.Empty.getDefaultInstance();
        if (w.actualVersion() < 0) {
            out.setCurrentNoStream(empty);
        } else {
            out.setCurrentStreamRevision(w.actualVersion());
        }
        switch (w.expected()) {
            case ExpectedVersion.Any a -> out.setExpectedAny(empty);
            case ExpectedVersion.NoStream n -> out.setExpectedNoStream(empty);
            case ExpectedVersion.StreamExists s -> out.setExpectedStreamExists(empty);
            case ExpectedVersion.Exact x -> out.setExpectedStreamPosition(x.version());
        }
        return out.build();
    }

    private static com.google.rpc.Status status(Code code, String message, Message detail) {
        return com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(detail))
                .build();
    }

    @Override
    public void onError(Throwable error) {
        cancelled = true;
        assembling.clear();
    }

    @Override
    public void onCompleted() {
        // Appends never marked final are abandoned, as KurrentDB does.
        assembling.clear();
        // Answer the appends still running before ending the call.
        inFlight.acquireUninterruptibly(MAX_PENDING);
        inFlight.release(MAX_PENDING);
        synchronized (this) {
            if (!cancelled) {
                response.onCompleted();
            }
        }
    }

    /** An append larger than the store's byte limit. */
    static final class AppendTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int limit;

        AppendTooLarge(int limit) {
            super("the append is larger than the limit of " + limit + " bytes", null, false, false);
            this.limit = limit;
        }
    }
}
