package io.factum.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.factum.api.AccessDeniedException;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAppend;
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
import io.factum.server.append.AppendBudget;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendLimitExceededException;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.security.Principal;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * One Streams.BatchAppend call: many appends multiplexed by correlation id, each possibly spread over
 * several requests. Appends run concurrently (so they share the store's group commit) and answer in
 * completion order. Both the appends being assembled and those in flight are bounded per call.
 */
final class BatchAppendHandler implements StreamObserver<BatchAppendReq> {

    /** Appends one call may have assembling or in flight; a client beyond it waits (flow control). */
    static final int MAX_PENDING = 512;

    private final AppendGate gate;
    private final Principal who;
    private final StreamObserver<BatchAppendResp> response;
    private final Map<UUID, Pending> assembling = new HashMap<>();
    private final Semaphore inFlight = new Semaphore(MAX_PENDING);
    private volatile boolean cancelled;

    BatchAppendHandler(AppendGate gate, Principal who, StreamObserver<BatchAppendResp> response) {
        this.gate = gate;
        this.who = who;
        this.response = response;
    }

    private static final class Pending {
        final BatchAppendReq.Options options;
        final List<EventData> events = new ArrayList<>();
        final AppendBudget budget;
        RuntimeException failure;

        Pending(BatchAppendReq.Options options, AppendBudget budget) {
            this.options = options;
            this.budget = budget;
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
            pending = new Pending(request.getOptions(), gate.budget());
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
        try {
            for (BatchAppendReq.ProposedMessage message : request.getProposedMessagesList()) {
                EventData event = ProtoCodec.eventData(
                        message.getId(),
                        message.getMetadataMap(),
                        message.getData(),
                        message.getCustomMetadata(),
                        pending.events.size());
                pending.budget.add(
                        pending.options.getStreamIdentifier().getStreamName().toStringUtf8(),
                        pending.events.size(),
                        event);
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
        StreamAppend part;
        try {
            if (pending.failure != null) {
                throw pending.failure;
            }
            String stream = ProtoCodec.streamName(pending.options.getStreamIdentifier(), "options.stream_identifier");
            part = new StreamAppend(stream, expected(pending.options), pending.events);
        } catch (RuntimeException e) {
            gate.refused(AppendRoute.GRPC_BATCH_APPEND, GrpcErrors.reason(e));
            return out.setError(error(e));
        }
        return switch (gate.append(AppendRoute.GRPC_BATCH_APPEND, who, List.of(part), Optional.empty())) {
            case AppendOutcome.Appended appended ->
                out.setSuccess(success(appended.results().getFirst()));
            case AppendOutcome.Refused refused -> out.setError(error(refused.error()));
        };
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
            case AppendLimitExceededException l
            when l.limit() instanceof AppendLimitExceededException.AppendTooLarge t ->
                status(
                        Code.INVALID_ARGUMENT,
                        l.getMessage(),
                        MaximumAppendSizeExceeded.newBuilder()
                                .setMaxAppendSize(t.limit())
                                .build());
            case AppendLimitExceededException l ->
                status(
                        Code.INVALID_ARGUMENT,
                        l.getMessage(),
                        BadRequest.newBuilder().setMessage(l.getMessage()).build());
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
}
