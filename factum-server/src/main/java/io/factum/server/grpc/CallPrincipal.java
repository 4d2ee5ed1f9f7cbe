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

/**
 * Authenticates every call from its {@code authorization} header and makes the principal available
 * to the services through {@link #current()}. Wrong credentials end the call with UNAUTHENTICATED
 * before any service code runs.
 */
public final class CallPrincipal implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

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
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        return Contexts.interceptCall(Context.current().withValue(KEY, principal), call, headers, next);
    }
}
