package io.factum.server.grpc;

import io.factum.api.EventStore;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.AppendSessionResponse;
import io.factum.protocol.v2.streams.StreamsServiceGrpc;
import io.factum.server.append.AppendGate;
import io.grpc.stub.StreamObserver;

/**
 * The v2 streams service of KurrentDB 25.1 ({@code kurrentdb.protocol.v2.streams.StreamsService}):
 * {@code AppendSession}, an atomic append to several streams, backed by {@link
 * EventStore#appendMulti}. Advertised in the server features as method {@code appendsession},
 * which is what makes the official KurrentDB client enable its {@code multiStreamAppend}.
 */
public final class AppendSessionService extends StreamsServiceGrpc.StreamsServiceImplBase {

    private final AppendGate gate;

    public AppendSessionService(AppendGate gate) {
        this.gate = gate;
    }

    @Override
    public StreamObserver<AppendRequest> appendSession(StreamObserver<AppendSessionResponse> responseObserver) {
        return new AppendSessionHandler(gate, CallPrincipal.current(), responseObserver);
    }
}
