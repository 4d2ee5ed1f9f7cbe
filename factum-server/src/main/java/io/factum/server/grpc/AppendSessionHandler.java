package io.factum.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import io.factum.api.AppendResult;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.InvalidInputException;
import io.factum.api.StoreLimits;
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
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.factum.server.security.StreamAccess;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    private final EventStore store;
    private final AccessPolicy policy;
    private final Principal who;
    private final StreamObserver<AppendSessionResponse> response;
    private final FactumTrailers.Holder trailers = FactumTrailers.current();
    private final List<StreamAppend> parts = new ArrayList<>();
    private final Map<String, Integer> partOf = new HashMap<>();
    private long bytes;
    private long events;
    private boolean finished;

    AppendSessionHandler(
            EventStore store, AccessPolicy policy, Principal who, StreamObserver<AppendSessionResponse> response) {
        this.store = store;
        this.policy = policy;
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
        StoreLimits limits = store.limits();
        List<EventData> batch = new ArrayList<>(request.getRecordsCount());
        for (int i = 0; i < request.getRecordsCount(); i++) {
            AppendRecord record = request.getRecords(i);
            EventData event = V2Records.event(record, field + ".records[" + i + "]");
            int size = event.sizeBytes();
            if (size > limits.maxEventBytes()) {
                throw recordTooLarge(stream, i, event, limits.maxEventBytes());
            }
            bytes += size;
            if (bytes > limits.maxAppendBytes()) {
                throw transactionTooLarge(limits.maxAppendBytes());
            }
            if (++events > limits.maxEventsPerAppend()) {
                throw GrpcErrors.invalidInput(new InvalidInputException(
                        "events", events + " events", "an append may carry at most " + limits.maxEventsPerAppend()));
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
        AppendSessionResponse reply;
        try {
            if (parts.isEmpty()) {
                // KurrentDB's APPEND_SESSION_NO_REQUESTS travels as FAILED_PRECONDITION, without details.
                StatusRuntimeException base = GrpcErrors.invalidInput(
                        new InvalidInputException("appends", "[]", "a multi-stream append needs at least one stream"));
                throw io.grpc.Status.FAILED_PRECONDITION
                        .withDescription(base.getStatus().getDescription())
                        .asRuntimeException(base.getTrailers());
            }
            for (StreamAppend part : parts) {
                policy.checkStream(who, StreamAccess.WRITE, part.stream());
            }
            List<AppendResult> results = store.appendMulti(List.copyOf(parts));
            trailers.put(
                    FactumTrailers.WRITTEN,
                    results.stream().map(r -> Boolean.toString(r.written())).collect(Collectors.joining(",")));
            reply = reply(results);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        finished = true;
        parts.clear();
        response.onNext(reply);
        response.onCompleted();
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

    private void fail(Throwable error) {
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

    private static StatusRuntimeException recordTooLarge(String stream, int index, EventData event, int limit) {
        int size = event.sizeBytes();
        InvalidInputException error = new InvalidInputException(
                "events[" + index + "]", event.eventId(), "is " + size + " bytes, the limit is " + limit);
        return withDetail(
                GrpcErrors.invalidInput(error),
                Code.INVALID_ARGUMENT,
                AppendRecordSizeExceededErrorDetails.newBuilder()
                        .setStream(stream)
                        .setRecordId(event.eventId().toString())
                        .setSize(size)
                        .setMaxSize(limit)
                        .build());
    }

    private StatusRuntimeException transactionTooLarge(int limit) {
        InvalidInputException error = new InvalidInputException(
                "events", bytes + " bytes", "an append may carry at most " + limit + " bytes");
        return withDetail(
                GrpcErrors.invalidInput(error),
                Code.ABORTED,
                AppendTransactionSizeExceededErrorDetails.newBuilder()
                        .setSize((int) Math.min(Integer.MAX_VALUE, bytes))
                        .setMaxSize(limit)
                        .build());
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
