package io.factum.server.grpc;

import io.factum.protocol.serverfeatures.ServerFeaturesGrpc;
import io.factum.protocol.serverfeatures.SupportedMethod;
import io.factum.protocol.serverfeatures.SupportedMethods;
import io.factum.protocol.shared.Empty;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.List;

/**
 * Tells clients what this server supports, from the services actually registered: a client that
 * sees a method here may use it. The version is the KurrentDB release whose protocol Factum speaks,
 * because clients compare it to decide which behaviours they may rely on.
 */
public final class ServerFeaturesService extends ServerFeaturesGrpc.ServerFeaturesImplBase {

    /** The KurrentDB protocol version Factum implements, as clients parse it. */
    public static final String PROTOCOL_VERSION = "24.10.0";

    private final SupportedMethods methods;

    /**
     * @param services the registered services
     * @param features extra feature flags per method, keyed "service/method" in lower case
     */
    public ServerFeaturesService(List<ServerServiceDefinition> services, java.util.Map<String, List<String>> features) {
        var builder = SupportedMethods.newBuilder().setEventStoreServerVersion(PROTOCOL_VERSION);
        for (ServerServiceDefinition service : services) {
            String serviceName = service.getServiceDescriptor().getName().toLowerCase(java.util.Locale.ROOT);
            for (var method : service.getMethods()) {
                String methodName =
                        method.getMethodDescriptor().getBareMethodName().toLowerCase(java.util.Locale.ROOT);
                builder.addMethods(SupportedMethod.newBuilder()
                        .setServiceName(serviceName)
                        .setMethodName(methodName)
                        .addAllFeatures(features.getOrDefault(serviceName + "/" + methodName, List.of())));
            }
        }
        this.methods = builder.build();
    }

    @Override
    public void getSupportedMethods(Empty request, StreamObserver<SupportedMethods> responseObserver) {
        responseObserver.onNext(methods);
        responseObserver.onCompleted();
    }
}
