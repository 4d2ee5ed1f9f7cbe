package io.factum.server.grpc;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.EventStore;
import io.factum.api.Query;
import io.factum.api.QueryReadResult;
import io.factum.api.ReadAllOptions;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.api.StreamAppend;
import io.factum.protocol.dcb.AppendRequest;
import io.factum.protocol.dcb.AppendResponse;
import io.factum.protocol.dcb.DcbGrpc;
import io.factum.protocol.dcb.ReadEnd;
import io.factum.protocol.dcb.ReadRequest;
import io.factum.protocol.dcb.ReadResponse;
import io.factum.protocol.dcb.SubscribeRequest;
import io.factum.protocol.dcb.SubscribeResponse;
import io.factum.server.append.AppendBudget;
import io.factum.server.append.AppendGate;
import io.factum.server.append.AppendLimitExceededException;
import io.factum.server.append.AppendOutcome;
import io.factum.server.metrics.AppendRoute;
import io.factum.server.metrics.ServerMetrics;
import io.factum.server.metrics.Transport;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Factum's own {@code factum.dcb.v1.Dcb} service: reads and subscriptions by query, and atomic
 * appends to several streams with an optional condition. KurrentDB has no equivalent; the official
 * clients never call it.
 *
 * <p>Access: a query spans every stream, so reading or subscribing by query needs the same right as
 * reading {@code $all}. An append needs write access to every stream it appends to and, with a
 * condition, read access to {@code $all} as well (see {@link AppendGate}).
 */
public final class DcbService extends DcbGrpc.DcbImplBase {

    private final EventStore store;
    private final AccessPolicy policy;
    private final ServerMetrics metrics;
    private final AppendGate gate;
    private final DcbSubscriptions subscriptions;

    public DcbService(EventStore store, AccessPolicy policy, ServerMetrics metrics, AppendGate gate) {
        this.store = store;
        this.policy = policy;
        this.metrics = metrics;
        this.gate = gate;
        this.subscriptions = new DcbSubscriptions(store, policy, metrics);
    }

    /** Ends the live subscriptions, telling their clients the server is stopping. */
    public void endSubscriptions(String reason) {
        subscriptions.endAll(reason);
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> responseObserver) {
        var out = new FlowControlledSender<>((ServerCallStreamObserver<ReadResponse>) responseObserver);
        Principal who = CallPrincipal.current();
        // Not on the call's serialized executor: a read that waits for a slow client must leave it
        // free to deliver the transport's "ready" signal (see StreamsService.read).
        Thread.ofVirtual().name("factum-dcb-read").start(Context.current().wrap(() -> {
            try {
                read(request, who, out);
                out.complete();
            } catch (FlowControlledSender.CallCancelledException e) {
                // The client went away; nothing to answer.
            } catch (RuntimeException e) {
                out.fail(e);
            }
        }));
    }

    private void read(ReadRequest request, Principal who, FlowControlledSender<ReadResponse> out) {
        StoreLimits limits = store.limits();
        if (!request.hasQuery()) {
            throw GrpcErrors.invalidArgument("query: is required");
        }
        Query query = DcbCodec.query(request.getQuery(), "query", limits);
        Direction direction =
                switch (request.getDirection()) {
                    case FORWARDS -> Direction.FORWARDS;
                    case BACKWARDS -> Direction.BACKWARDS;
                    case UNRECOGNIZED ->
                        throw GrpcErrors.invalidArgument(
                                "direction: " + request.getDirectionValue() + " is not FORWARDS (0) or BACKWARDS (1)");
                };
        long from = from(request, direction);
        int maxCount = request.getMaxCount();
        if (maxCount < 1 || maxCount > limits.maxReadCount()) {
            throw GrpcErrors.invalidArgument("max_count: " + Integer.toUnsignedString(maxCount)
                    + " is not between 1 and " + limits.maxReadCount());
        }
        policy.checkReadAll(who);
        QueryReadResult result = store.readByQuery(query, from, direction, maxCount);
        for (RecordedEvent event : result.events()) {
            out.send(
                    ReadResponse.newBuilder().setEvent(DcbCodec.recorded(event)).build());
        }
        metrics.eventsRead(Transport.GRPC, result.events().size());
        out.send(ReadResponse.newBuilder()
                .setEnd(ReadEnd.newBuilder().setHeadPosition(result.headPosition()))
                .build());
    }

    private static long from(ReadRequest request, Direction direction) {
        if (!request.hasFromPosition()) {
            return direction == Direction.FORWARDS ? 0 : ReadAllOptions.END;
        }
        long from = request.getFromPosition();
        if (from < 0) {
            throw GrpcErrors.invalidArgument("from_position: " + Long.toUnsignedString(from) + " is out of range");
        }
        return from;
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> responseObserver) {
        var out = new FlowControlledSender<>((ServerCallStreamObserver<SubscribeResponse>) responseObserver);
        try {
            subscriptions.subscribe(request, CallPrincipal.current(), out);
        } catch (FlowControlledSender.CallCancelledException e) {
            // The client went away; nothing to answer.
        } catch (RuntimeException e) {
            out.fail(e);
        }
    }

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> responseObserver) {
        List<StreamAppend> parts;
        Optional<AppendCondition> condition;
        try {
            parts = parts(request);
            condition = request.hasCondition()
                    ? Optional.of(DcbCodec.condition(request.getCondition(), gate.limits()))
                    : Optional.empty();
        } catch (AppendLimitExceededException e) {
            gate.refused(AppendRoute.GRPC_DCB, e.asInvalidInput());
            responseObserver.onError(GrpcErrors.invalidInput(e.asInvalidInput()));
            return;
        } catch (RuntimeException e) {
            gate.refused(AppendRoute.GRPC_DCB, GrpcErrors.reason(e));
            responseObserver.onError(GrpcErrors.toStatus(e));
            return;
        }
        switch (gate.append(AppendRoute.GRPC_DCB, CallPrincipal.current(), parts, condition)) {
            case AppendOutcome.Appended appended -> {
                var reply = AppendResponse.newBuilder();
                for (AppendResult result : appended.results()) {
                    reply.addResults(io.factum.protocol.dcb.AppendResult.newBuilder()
                            .setStreamVersion(result.streamVersion())
                            .setPosition(result.position())
                            .setWritten(result.written()));
                }
                responseObserver.onNext(reply.build());
                responseObserver.onCompleted();
            }
            case AppendOutcome.Refused refused -> responseObserver.onError(GrpcErrors.toStatus(refused.error()));
        }
    }

    private List<StreamAppend> parts(AppendRequest request) {
        if (request.getAppendsCount() == 0) {
            throw GrpcErrors.invalidArgument("appends: at least one stream append is required");
        }
        StoreLimits limits = gate.limits();
        AppendBudget budget = gate.budget();
        List<StreamAppend> parts = new ArrayList<>(request.getAppendsCount());
        for (int i = 0; i < request.getAppendsCount(); i++) {
            io.factum.protocol.dcb.StreamAppend part = request.getAppends(i);
            String field = "appends[" + i + "]";
            if (part.getStream().isEmpty()) {
                throw GrpcErrors.invalidArgument(field + ".stream: a stream name is required");
            }
            limits.checkStreamName(field + ".stream", part.getStream());
            List<EventData> events = new ArrayList<>(part.getEventsCount());
            for (int e = 0; e < part.getEventsCount(); e++) {
                EventData event = DcbCodec.event(part.getEvents(e), field + ".events[" + e + "]", limits);
                budget.add(part.getStream(), e, event);
                events.add(event);
            }
            parts.add(new StreamAppend(
                    part.getStream(), DcbCodec.expected(part.getExpected(), field + ".expected"), events));
        }
        return parts;
    }
}
