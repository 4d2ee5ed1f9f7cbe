package io.factum.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.InvalidInputException;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.WrongExpectedVersionException;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.AppendResponse;
import io.factum.protocol.v2.streams.AppendSessionResponse;
import io.factum.protocol.v2.streams.errors.AppendRecordSizeExceededErrorDetails;
import io.factum.protocol.v2.streams.errors.AppendTransactionSizeExceededErrorDetails;
import io.factum.protocol.v2.streams.errors.StreamAlreadyInAppendSessionErrorDetails;
import io.factum.protocol.v2.streams.errors.StreamRevisionConflictErrorDetails;
import io.factum.protocol.v2.streams.errors.StreamTombstonedErrorDetails;
import io.factum.server.append.AppendBudget;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendLimitExceededException;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.security.Principal;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One {@code AppendSession} call: one request per stream, then one atomic {@link
 * EventStore#appendMulti}. Sizes and counts are checked as the requests arrive, so an oversized
 * session is refused before it is held in memory; once the call has failed, further requests are
 * ignored.
 *
 * <p>Failures carry a {@code google.rpc.Status} with the v2 error detail the official client maps
 * to its exception (revision conflict, tombstoned stream, record or transaction too large, stream
 * twice in a session), plus the v1 and Factum trailers of {@link GrpcErrors}.
 */
final class AppendSessionHandler implements StreamObserver<AppendRequest> {

    /** Most streams one session may name: a bound on the memory one call holds. */
    static final int MAX_STREAMS = 1000;

    private final AppendGate gate;
    private final AppendBudget budget;
    private final Principal who;
    private final StreamObserver<AppendSessionResponse> response;
    private final FactumTrailers.Holder trailers = FactumTrailers.current();
    private final List<StreamAppend> parts = new ArrayList<>();
    private final Map<String, Integer> partOf = new HashMap<>();
    private boolean finished;

    AppendSessionHandler(AppendGate gate, Principal who, StreamObserver<AppendSessionResponse> response) {
        this.gate = gate;
        this.budget = gate.budget();
        this.who = who;
        this.response = response;
    }

    @Override
    public void onNext(AppendRequest request) {
        if (finished) {
            return;
        }
        try {
            add(request);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void add(AppendRequest request) {
        int index = parts.size();
        if (index >= MAX_STREAMS) {
            throw GrpcErrors.invalidInput(new InvalidInputException(
                    "appends", (index + 1) + " streams", "an append session may name at most " + MAX_STREAMS));
        }
        String field = "requests[" + index + "]";
        String stream = request.getStream();
        Integer earlier = partOf.putIfAbsent(stream, index);
        if (earlier != null) {
            throw twice(stream, index);
        }
        List<EventData> batch = new ArrayList<>(request.getRecordsCount());
        for (int i = 0; i < request.getRecordsCount(); i++) {
            AppendRecord record = request.getRecords(i);
            EventData event = V2Records.event(record, field + ".records[" + i + "]");
            try {
                budget.add(stream, i, event);
            } catch (AppendLimitExceededException e) {
                throw limitStatus(e);
            }
            batch.add(event);
        }
        parts.add(new StreamAppend(stream, V2Records.expected(request, field + ".expected_revision"), batch));
    }

    @Override
    public void onCompleted() {
        if (finished) {
            return;
        }
        if (parts.isEmpty()) {
            // KurrentDB's APPEND_SESSION_NO_REQUESTS travels as FAILED_PRECONDITION, without details.
            StatusRuntimeException base = GrpcErrors.invalidInput(
                    new InvalidInputException("appends", "[]", "a multi-stream append needs at least one stream"));
            fail(io.grpc.Status.FAILED_PRECONDITION
                    .withDescription(base.getStatus().getDescription())
                    .asRuntimeException(base.getTrailers()));
            return;
        }
        finished = true;
        switch (gate.append(AppendRoute.GRPC_APPEND_SESSION, who, List.copyOf(parts), Optional.empty())) {
            case AppendOutcome.Appended appended -> {
                trailers.put(
                        FactumTrailers.WRITTEN,
                        appended.results().stream()
                                .map(r -> Boolean.toString(r.written()))
                                .collect(Collectors.joining(",")));
                AppendSessionResponse reply = reply(appended.results());
                parts.clear();
                response.onNext(reply);
                response.onCompleted();
            }
            case AppendOutcome.Refused refused -> {
                parts.clear();
                response.onError(toStatus(refused.error()));
            }
        }
    }

    private AppendSessionResponse reply(List<AppendResult> results) {
        var reply = AppendSessionResponse.newBuilder();
        long last = -1;
        for (int i = 0; i < results.size(); i++) {
            AppendResult result = results.get(i);
            var output = AppendResponse.newBuilder()
                    .setStream(parts.get(i).stream())
                    .setStreamRevision(result.streamVersion());
            if (result.position() >= 0) {
                output.setPosition(result.position());
            }
            reply.addOutput(output);
            last = Math.max(last, result.position());
        }
        return reply.setPosition(last).build();
    }

    @Override
    public void onError(Throwable error) {
        finished = true; // the client cancelled: nothing was appended, nothing to answer
        parts.clear();
    }

    /** A refusal before the gate was reached: counted, answered, and the call ignored from now on. */
    private void fail(Throwable error) {
        gate.refused(AppendRoute.GRPC_APPEND_SESSION, GrpcErrors.reason(error));
        finished = true;
        parts.clear();
        response.onError(toStatus(error));
    }

    private static StatusRuntimeException toStatus(Throwable error) {
        return switch (error) {
            case WrongExpectedVersionException w ->
                withDetail(
                        GrpcErrors.wrongExpectedVersion(w),
                        Code.FAILED_PRECONDITION,
                        StreamRevisionConflictErrorDetails.newBuilder()
                                .setStream(w.stream())
                                .setExpectedRevision(V2Records.raw(w.expected()))
                                .setActualRevision(w.actualVersion())
                                .build());
            case StreamDeletedException d ->
                withDetail(
                        GrpcErrors.streamDeleted(d.stream()),
                        Code.FAILED_PRECONDITION,
                        StreamTombstonedErrorDetails.newBuilder()
                                .setStream(d.stream())
                                .build());
            default -> GrpcErrors.toStatus(error);
        };
    }

    private StatusRuntimeException twice(String stream, int index) {
        InvalidInputException error = new InvalidInputException(
                "stream",
                stream,
                "appears twice in one call (again as part " + index + "); a stream may appear once per call");
        return withDetail(
                GrpcErrors.invalidInput(error),
                Code.ABORTED,
                StreamAlreadyInAppendSessionErrorDetails.newBuilder()
                        .setStream(stream)
                        .build());
    }

    /** The v2 error details the official client maps: record too large, transaction too large. */
    private static StatusRuntimeException limitStatus(AppendLimitExceededException e) {
        StatusRuntimeException base = GrpcErrors.invalidInput(e.asInvalidInput());
        return switch (e.limit()) {
            case AppendLimitExceededException.EventTooLarge t ->
                withDetail(
                        base,
                        Code.INVALID_ARGUMENT,
                        AppendRecordSizeExceededErrorDetails.newBuilder()
                                .setStream(t.stream())
                                .setRecordId(t.eventId().toString())
                                .setSize(t.sizeBytes())
                                .setMaxSize(t.limit())
                                .build());
            case AppendLimitExceededException.AppendTooLarge t ->
                withDetail(
                        base,
                        Code.ABORTED,
                        AppendTransactionSizeExceededErrorDetails.newBuilder()
                                .setSize((int) Math.min(Integer.MAX_VALUE, t.sizeBytes()))
                                .setMaxSize(t.limit())
                                .build());
            case AppendLimitExceededException.TooManyEvents t -> base;
        };
    }

    /** The base error's trailers and message, with {@code code} and the v2 detail the clients read. */
    private static StatusRuntimeException withDetail(StatusRuntimeException base, Code code, Message detail) {
        String message = base.getStatus().getDescription();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(detail))
                .build();
        io.grpc.Metadata trailers = base.getTrailers() != null ? base.getTrailers() : new io.grpc.Metadata();
        return StatusProto.toStatusRuntimeException(status, trailers);
    }
}
