package io.factum.server.grpc;

import io.factum.server.security.AuthenticationException;
import io.factum.server.security.Principal;
import io.factum.server.security.ServerSecurity;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;

/**
 * Authenticates every call from its {@code authorization} header and makes the principal available
 * to the services through {@link #current()}. Wrong credentials end the call with UNAUTHENTICATED
 * before any service code runs. When the server requires authentication, a call without credentials
 * also ends with UNAUTHENTICATED, except the few methods a client must reach before it can log in.
 */
public final class CallPrincipal implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /**
     * Methods served to anonymous callers even when authentication is required: the clients call
     * GetSupportedMethods without any header and treat a failure as fatal, and discover the cluster
     * through Gossip before they know whom to authenticate to (KurrentDB allows both anonymously).
     */
    static final Set<String> ANONYMOUS_METHODS = Set.of(
            "event_store.client.server_features.ServerFeatures/GetSupportedMethods",
            "event_store.client.gossip.Gossip/Read");

    private static final Context.Key<Principal> KEY = Context.keyWithDefault("factum-principal", Principal.anonymous());

    private final ServerSecurity security;

    public CallPrincipal(ServerSecurity security) {
        this.security = security;
    }

    /** The principal of the call running on this thread. */
    public static Principal current() {
        return KEY.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Principal principal;
        try {
            principal = security.authenticator().authenticate(headers.get(AUTHORIZATION));
        } catch (AuthenticationException e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        } catch (RuntimeException e) {
            // The user store could not be read (store closed or failed): the store's status.
            return refuse(call, GrpcErrors.toStatus(e).getStatus());
        }
        if (security.required()
                && principal instanceof Principal.Anonymous
                && !ANONYMOUS_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return refuse(
                    call,
                    Status.UNAUTHENTICATED.withDescription(
                            "this server requires authentication: send credentials (user:password in the connection string,"
                                    + " or per call)"));
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, principal), call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
