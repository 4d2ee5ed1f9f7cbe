package io.factum.server.grpc;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.StreamAppend;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.server.append.AppendBudget;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendLimitExceededException;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.security.Principal;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Streams.Append call: the options, then the events, then one atomic append through the {@link
 * AppendGate}. Limits are checked as the events arrive, so an oversized append is refused before it
 * is held in memory, and once the call has failed every further message is ignored.
 */
final class AppendHandler implements StreamObserver<AppendReq> {

    /**
     * Messages requested from the transport ahead of the ones handled. gRPC's default asks for one
     * message at a time, and each request is a hop to the transport thread and each delivery a hop
     * back: measured here, a 1,000-event append took ~140 ms that way. A window of 64 keeps the
     * pipeline full; HTTP/2 flow control still bounds the bytes in flight, and {@link #add} the
     * size of the append.
     */
    static final int REQUEST_WINDOW = 64;

    private final AppendGate gate;
    private final AppendBudget budget;
    private final Principal who;
    private final ServerCallStreamObserver<AppendResp> response;
    private final FactumTrailers.Holder trailers = FactumTrailers.current();
    private final List<EventData> events = new ArrayList<>();
    private int handledSinceRequest;
    private String stream = "";
    private ExpectedVersion expected = ExpectedVersion.any();
    private boolean started;
    private boolean finished;

    /** Must be created inside the service method: gRPC accepts {@code disableAutoRequest} only there. */
    AppendHandler(AppendGate gate, Principal who, ServerCallStreamObserver<AppendResp> response) {
        this.gate = gate;
        this.budget = gate.budget();
        this.who = who;
        this.response = response;
        response.disableAutoRequest();
        response.request(REQUEST_WINDOW);
    }

    @Override
    public void onNext(AppendReq request) {
        if (++handledSinceRequest == REQUEST_WINDOW / 2) {
            handledSinceRequest = 0;
            response.request(REQUEST_WINDOW / 2);
        }
        if (finished) {
            return;
        }
        try {
            switch (request.getContentCase()) {
                case OPTIONS -> start(request.getOptions());
                case PROPOSED_MESSAGE -> add(request.getProposedMessage());
                case CONTENT_NOT_SET ->
                    throw GrpcErrors.invalidArgument(
                            "append request: 'options' or" + " 'proposed_message' is required");
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void start(AppendReq.Options options) {
        if (started) {
            throw GrpcErrors.invalidArgument("append request: 'options' may only be sent once, first");
        }
        started = true;
        stream = ProtoCodec.streamName(options.getStreamIdentifier(), "options.stream_identifier");
        gate.limits().checkStreamName("options.stream_identifier", stream);
        expected = ExpectedVersions.of(options);
        // Checked again by the gate; checked here so that a refused caller sends no events for nothing.
        gate.checkWrite(who, stream);
    }

    private void add(AppendReq.ProposedMessage message) {
        if (!started) {
            throw GrpcErrors.invalidArgument("append request: 'options' must come before the events");
        }
        EventData event = ProtoCodec.eventData(
                message.getId(),
                message.getMetadataMap(),
                message.getData(),
                message.getCustomMetadata(),
                events.size());
        try {
            budget.add(stream, events.size(), event);
        } catch (AppendLimitExceededException e) {
            throw limitStatus(stream, e);
        }
        events.add(event);
    }

    /** KurrentDB's forms: maximum-append-size-exceeded for the byte limit, a plain refusal otherwise. */
    static StatusRuntimeException limitStatus(String stream, AppendLimitExceededException e) {
        if (e.limit() instanceof AppendLimitExceededException.AppendTooLarge tooLarge) {
            return GrpcErrors.maximumAppendSizeExceeded(
                    tooLarge.limit(),
                    "append to '" + stream + "' is larger than the limit of " + tooLarge.limit() + " bytes");
        }
        return GrpcErrors.invalidInput(e.asInvalidInput());
    }

    @Override
    public void onCompleted() {
        if (finished) {
            return;
        }
        if (!started) {
            fail(GrpcErrors.invalidArgument("append request: the call ended before 'options' was sent"));
            return;
        }
        finished = true;
        var part = new StreamAppend(stream, expected, List.copyOf(events));
        events.clear();
        switch (gate.append(AppendRoute.GRPC_APPEND, who, List.of(part), Optional.empty())) {
            case AppendOutcome.Appended appended -> {
                AppendResult result = appended.results().getFirst();
                trailers.put(FactumTrailers.WRITTEN, Boolean.toString(result.written()));
                answer(success(result));
            }
            case AppendOutcome.Refused(WrongExpectedVersionException e) ->
                answer(AppendResp.newBuilder()
                        .setWrongExpectedVersion(ExpectedVersions.wrongExpectedVersion(e))
                        .build());
            case AppendOutcome.Refused refused -> response.onError(GrpcErrors.toStatus(refused.error()));
        }
    }

    private void answer(AppendResp reply) {
        response.onNext(reply);
        response.onCompleted();
    }

    static AppendResp success(AppendResult result) {
        var success = AppendResp.Success.newBuilder();
        if (result.streamVersion() < 0) {
            success.setNoStream(Empty.getDefaultInstance());
        } else {
            success.setCurrentRevision(result.streamVersion());
        }
        if (result.position() < 0) {
            success.setNoPosition(Empty.getDefaultInstance());
        } else {
            success.setPosition(AppendResp.Position.newBuilder()
                    .setCommitPosition(result.position())
                    .setPreparePosition(result.position()));
        }
        return AppendResp.newBuilder().setSuccess(success).build();
    }

    @Override
    public void onError(Throwable error) {
        finished = true; // the client cancelled: nothing was appended, nothing to answer
        events.clear();
    }

    /** A refusal before the gate was reached: counted, answered, and the call ignored from now on. */
    private void fail(Throwable error) {
        gate.refused(AppendRoute.GRPC_APPEND, GrpcErrors.reason(error));
        finished = true;
        events.clear();
        response.onError(GrpcErrors.toStatus(error));
    }
}
