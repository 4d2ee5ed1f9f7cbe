package io.factum.server.grpc;

import io.factum.api.EventStore;
import io.factum.api.StoreLimits;
import io.factum.protocol.info.StoreInfoGrpc;
import io.factum.protocol.info.StoreLimitsReply;
import io.factum.protocol.shared.Empty;
import io.grpc.stub.StreamObserver;

/**
 * Factum's own {@code factum.info.v1.StoreInfo} service: the store's {@link StoreLimits}, which
 * Factum's remote client fetches once when it connects so that it checks input exactly as the
 * store does. The KurrentDB protocol has no message for them.
 */
public final class StoreInfoService extends StoreInfoGrpc.StoreInfoImplBase {

    private final EventStore store;

    public StoreInfoService(EventStore store) {
        this.store = store;
    }

    @Override
    public void getLimits(Empty request, StreamObserver<StoreLimitsReply> responseObserver) {
        try {
            StoreLimits limits = store.limits();
            responseObserver.onNext(StoreLimitsReply.newBuilder()
                    .setMaxStreamNameBytes(limits.maxStreamNameBytes())
                    .setMaxEventTypeBytes(limits.maxEventTypeBytes())
                    .setMaxEventBytes(limits.maxEventBytes())
                    .setMaxAppendBytes(limits.maxAppendBytes())
                    .setMaxEventsPerAppend(limits.maxEventsPerAppend())
                    .setMaxReadCount(limits.maxReadCount())
                    .setMaxTagsPerEvent(limits.tags().maxTagsPerEvent())
                    .setMaxTagBytes(limits.tags().maxTagBytes())
                    .setMaxQueryItems(limits.tags().maxQueryItems())
                    .setMaxItemTerms(limits.tags().maxItemTerms())
                    .build());
            responseObserver.onCompleted();
        } catch (RuntimeException e) {
            responseObserver.onError(GrpcErrors.toStatus(e));
        }
    }
}
