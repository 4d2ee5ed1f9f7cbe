package io.factum.server.grpc;

import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.ExpectedVersion;
import io.factum.api.StoreLimits;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Streams.Append call: the options, then the events, then one atomic append. Limits are checked
 * as the events arrive, so an oversized append is refused before it is held in memory, and once the
 * call has failed every further message is ignored.
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

    private final EventStore store;
    private final AccessPolicy policy;
    private final Principal who;
    private final ServerCallStreamObserver<AppendResp> response;
    private final FactumTrailers.Holder trailers = FactumTrailers.current();
    private final ServerMetrics metrics;
    private final List<EventData> events = new ArrayList<>();
    private int handledSinceRequest;
    private String stream = "";
    private ExpectedVersion expected = ExpectedVersion.any();
    private boolean started;
    private boolean finished;
    private long bytes;

    /** Must be created inside the service method: gRPC accepts {@code disableAutoRequest} only there. */
    AppendHandler(
            EventStore store,
            AccessPolicy policy,
            Principal who,
            ServerCallStreamObserver<AppendResp> response,
            ServerMetrics metrics) {
        this.store = store;
        this.policy = policy;
        this.who = who;
        this.response = response;
        this.metrics = metrics;
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
        store.limits().checkStreamName("options.stream_identifier", stream);
        expected = ExpectedVersions.of(options);
        policy.checkStream(who, StreamAccess.WRITE, stream);
    }

    private void add(AppendReq.ProposedMessage message) {
        if (!started) {
            throw GrpcErrors.invalidArgument("append request: 'options' must come before the events");
        }
        StoreLimits limits = store.limits();
        if (events.size() >= limits.maxEventsPerAppend()) {
            throw GrpcErrors.invalidArgument(
                    "append to '" + stream + "': more than " + limits.maxEventsPerAppend() + " events in one append");
        }
        EventData event = ProtoCodec.eventData(
                message.getId(),
                message.getMetadataMap(),
                message.getData(),
                message.getCustomMetadata(),
                events.size());
        bytes += event.data().length + event.metadata().length;
        if (bytes > limits.maxAppendBytes()) {
            throw GrpcErrors.maximumAppendSizeExceeded(
                    limits.maxAppendBytes(),
                    "append to '" + stream + "' is larger than the limit of " + limits.maxAppendBytes() + " bytes");
        }
        events.add(event);
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
        AppendResp reply;
        try {
            AppendResult result = store.append(stream, expected, List.copyOf(events));
            trailers.put(FactumTrailers.WRITTEN, Boolean.toString(result.written()));
            if (result.written()) {
                metrics.appended(AppendRoute.GRPC_APPEND, events.size(), bytes);
            }
            reply = success(result);
        } catch (WrongExpectedVersionException e) {
            metrics.appendFailed(AppendRoute.GRPC_APPEND, ServerMetrics.reason(e));
            reply = AppendResp.newBuilder()
                    .setWrongExpectedVersion(ExpectedVersions.wrongExpectedVersion(e))
                    .build();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        finished = true;
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

    /** Store errors by their name; protocol errors (already statuses) by their status code. */
    private static String failureReason(Throwable error) {
        if (error instanceof StatusRuntimeException status) {
            return status.getStatus().getCode().name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return ServerMetrics.reason(error);
    }

    private void fail(Throwable error) {
        metrics.appendFailed(AppendRoute.GRPC_APPEND, failureReason(error));
        finished = true;
        events.clear();
        response.onError(GrpcErrors.toStatus(error));
    }
}
