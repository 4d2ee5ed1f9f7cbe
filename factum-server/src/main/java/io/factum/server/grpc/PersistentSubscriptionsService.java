package io.factum.server.grpc;

import io.factum.api.StoreLimits;
import io.factum.protocol.persistent.CreateReq;
import io.factum.protocol.persistent.CreateResp;
import io.factum.protocol.persistent.DeleteReq;
import io.factum.protocol.persistent.DeleteResp;
import io.factum.protocol.persistent.GetInfoReq;
import io.factum.protocol.persistent.GetInfoResp;
import io.factum.protocol.persistent.ListReq;
import io.factum.protocol.persistent.ListResp;
import io.factum.protocol.persistent.PersistentSubscriptionsGrpc;
import io.factum.protocol.persistent.ReadReq;
import io.factum.protocol.persistent.ReadResp;
import io.factum.protocol.persistent.ReplayParkedReq;
import io.factum.protocol.persistent.ReplayParkedResp;
import io.factum.protocol.persistent.UpdateReq;
import io.factum.protocol.persistent.UpdateResp;
import io.factum.protocol.shared.Empty;
import io.factum.server.persistent.FilterSpec;
import io.factum.server.persistent.GroupInfo;
import io.factum.server.persistent.GroupKey;
import io.factum.server.persistent.PersistentSubscriptions;
import io.factum.server.persistent.StartFrom;
import io.factum.server.security.AccessPolicy;
import io.factum.server.security.Principal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The PersistentSubscriptions service of the KurrentDB client protocol over the {@link
 * PersistentSubscriptions} subsystem.
 *
 * <p>Access, as KurrentDB's default policy has it: creating, updating, deleting, replaying parked
 * events and restarting the subsystem are for administrators ({@link AccessPolicy#checkAdmin});
 * reading the statistics needs an authenticated caller; consuming needs an authenticated caller who
 * may read the source stream ({@code $all}: {@link AccessPolicy#checkReadAll}). With security
 * disabled the policy allows everything, anonymous callers included.
 */
public final class PersistentSubscriptionsService extends PersistentSubscriptionsGrpc.PersistentSubscriptionsImplBase {

    private static final String SERVICE = "event_store.client.persistent_subscriptions.persistentsubscriptions";

    private static final Context.Key<String> REMOTE = Context.keyWithDefault("factum-remote-address", "");

    private final PersistentSubscriptions subscriptions;
    private final AccessPolicy policy;
    private final PersistentCodec codec;

    public PersistentSubscriptionsService(
            PersistentSubscriptions subscriptions, AccessPolicy policy, StoreLimits limits) {
        this.subscriptions = subscriptions;
        this.policy = policy;
        this.codec = new PersistentCodec(limits);
    }

    /**
     * The feature flags KurrentDB attaches to this service's methods: clients allow {@code $all}
     * groups only when {@code create} carries "all".
     */
    public static Map<String, List<String>> features() {
        List<String> both = List.of("stream", "all");
        return Map.of(
                SERVICE + "/create", both,
                SERVICE + "/update", both,
                SERVICE + "/delete", both,
                SERVICE + "/read", both,
                SERVICE + "/getinfo", both,
                SERVICE + "/replayparked", both,
                SERVICE + "/list", both,
                SERVICE + "/restartsubsystem", both);
    }

    /**
     * The service to register: {@link #bindService()} plus the recording of each call's remote
     * address, which the statistics show per consumer.
     */
    public ServerServiceDefinition definition() {
        return ServerInterceptors.intercept(bindService(), new RemoteAddress());
    }

    @Override
    public void create(CreateReq request, StreamObserver<CreateResp> responseObserver) {
        unary(responseObserver, () -> {
            CreateReq.Options options = request.getOptions();
            GroupKey key;
            StartFrom start;
            FilterSpec filter = FilterSpec.none();
            switch (options.getStreamOptionCase()) {
                case STREAM -> {
                    key = codec.streamKey(
                            options.getStream().getStreamIdentifier(),
                            options.getGroupName(),
                            "options.stream.stream_identifier");
                    start = PersistentCodec.streamStart(options.getStream());
                }
                case ALL -> {
                    key = codec.allKey(options.getGroupName());
                    start = PersistentCodec.allStart(options.getAll());
                    filter = PersistentCodec.filter(options.getAll());
                }
                case STREAMOPTION_NOT_SET -> {
                    Legacy legacy = legacy(options);
                    key = legacy.key();
                    start = legacy.start();
                }
                default -> throw new IllegalStateException("unreachable");
            }
            policy.checkAdmin(CallPrincipal.current(), "create persistent subscription " + key);
            subscriptions.create(key, PersistentCodec.settings(options.getSettings(), start), filter);
            return CreateResp.getDefaultInstance();
        });
    }

    @Override
    public void update(UpdateReq request, StreamObserver<UpdateResp> responseObserver) {
        unary(responseObserver, () -> {
            UpdateReq.Options options = request.getOptions();
            GroupKey key;
            StartFrom start;
            switch (options.getStreamOptionCase()) {
                case STREAM -> {
                    key = codec.streamKey(
                            options.getStream().getStreamIdentifier(),
                            options.getGroupName(),
                            "options.stream.stream_identifier");
                    start = PersistentCodec.streamStart(options.getStream());
                }
                case ALL -> {
                    key = codec.allKey(options.getGroupName());
                    start = PersistentCodec.allStart(options.getAll());
                }
                case STREAMOPTION_NOT_SET -> {
                    Legacy legacy = legacy(options);
                    key = legacy.key();
                    start = legacy.start();
                }
                default -> throw new IllegalStateException("unreachable");
            }
            policy.checkAdmin(CallPrincipal.current(), "update persistent subscription " + key);
            subscriptions.update(key, PersistentCodec.settings(options.getSettings(), start));
            return UpdateResp.getDefaultInstance();
        });
    }

    @Override
    public void delete(DeleteReq request, StreamObserver<DeleteResp> responseObserver) {
        unary(responseObserver, () -> {
            DeleteReq.Options options = request.getOptions();
            GroupKey key =
                    switch (options.getStreamOptionCase()) {
                        case STREAM_IDENTIFIER ->
                            codec.streamKey(
                                    options.getStreamIdentifier(), options.getGroupName(), "options.stream_identifier");
                        case ALL -> codec.allKey(options.getGroupName());
                        case STREAMOPTION_NOT_SET -> throw sourceRequired();
                    };
            policy.checkAdmin(CallPrincipal.current(), "delete persistent subscription " + key);
            subscriptions.delete(key);
            return DeleteResp.getDefaultInstance();
        });
    }

    @Override
    public void getInfo(GetInfoReq request, StreamObserver<GetInfoResp> responseObserver) {
        unary(responseObserver, () -> {
            GetInfoReq.Options options = request.getOptions();
            GroupKey key =
                    switch (options.getStreamOptionCase()) {
                        case STREAM_IDENTIFIER ->
                            codec.streamKey(
                                    options.getStreamIdentifier(), options.getGroupName(), "options.stream_identifier");
                        case ALL -> codec.allKey(options.getGroupName());
                        case STREAMOPTION_NOT_SET -> throw sourceRequired();
                    };
            requireAuthenticated(policy, CallPrincipal.current(), "read persistent subscription statistics");
            GroupInfo info = subscriptions.info(key);
            return GetInfoResp.newBuilder()
                    .setSubscriptionInfo(PersistentCodec.info(info))
                    .build();
        });
    }

    @Override
    public void list(ListReq request, StreamObserver<ListResp> responseObserver) {
        unary(responseObserver, () -> {
            ListReq.Options options = request.getOptions();
            requireAuthenticated(policy, CallPrincipal.current(), "read persistent subscription statistics");
            List<GroupInfo> infos =
                    switch (options.getListOptionCase()) {
                        case LIST_ALL_SUBSCRIPTIONS, LISTOPTION_NOT_SET -> subscriptions.list();
                        case LIST_FOR_STREAM -> {
                            ListReq.StreamOption stream = options.getListForStream();
                            yield switch (stream.getStreamOptionCase()) {
                                case STREAM ->
                                    subscriptions.list(ProtoCodec.streamName(
                                            stream.getStream(), "options.list_for_stream.stream"));
                                case ALL -> subscriptions.list(io.factum.api.SystemNames.ALL);
                                case STREAMOPTION_NOT_SET -> throw sourceRequired();
                            };
                        }
                    };
            var reply = ListResp.newBuilder();
            infos.forEach(info -> reply.addSubscriptions(PersistentCodec.info(info)));
            return reply.build();
        });
    }

    @Override
    public void replayParked(ReplayParkedReq request, StreamObserver<ReplayParkedResp> responseObserver) {
        unary(responseObserver, () -> {
            ReplayParkedReq.Options options = request.getOptions();
            GroupKey key =
                    switch (options.getStreamOptionCase()) {
                        case STREAM_IDENTIFIER ->
                            codec.streamKey(
                                    options.getStreamIdentifier(), options.getGroupName(), "options.stream_identifier");
                        case ALL -> codec.allKey(options.getGroupName());
                        case STREAMOPTION_NOT_SET -> throw sourceRequired();
                    };
            long stopAt =
                    switch (options.getStopAtOptionCase()) {
                        case STOP_AT -> {
                            if (options.getStopAt() < 0) {
                                throw GrpcErrors.invalidArgument(
                                        "options.stop_at: " + options.getStopAt() + " must be >= 0");
                            }
                            yield options.getStopAt();
                        }
                        case NO_LIMIT, STOPATOPTION_NOT_SET -> Long.MAX_VALUE;
                    };
            policy.checkAdmin(CallPrincipal.current(), "replay parked events of " + key);
            subscriptions.replayParked(key, stopAt);
            return ReplayParkedResp.getDefaultInstance();
        });
    }

    @Override
    public void restartSubsystem(Empty request, StreamObserver<Empty> responseObserver) {
        unary(responseObserver, () -> {
            policy.checkAdmin(CallPrincipal.current(), "restart the persistent subscriptions subsystem");
            subscriptions.restart();
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public StreamObserver<ReadReq> read(StreamObserver<ReadResp> responseObserver) {
        var out = new FlowControlledSender<>((ServerCallStreamObserver<ReadResp>) responseObserver);
        return new PersistentReadHandler(subscriptions, codec, policy, CallPrincipal.current(), REMOTE.get(), out);
    }

    /**
     * KurrentDB lets any authenticated user read statistics and consume; an anonymous caller passes
     * only where the policy treats it as an administrator (security disabled).
     */
    static void requireAuthenticated(AccessPolicy policy, Principal who, String operation) {
        if (who instanceof Principal.Anonymous) {
            policy.checkAdmin(who, operation);
        }
    }

    /** The source and start of a request from a client older than the stream/all options. */
    private record Legacy(GroupKey key, StartFrom start) {}

    // Older clients name the stream only in the deprecated fields: they are read here on purpose.
    @SuppressWarnings("deprecation")
    private Legacy legacy(CreateReq.Options options) {
        return legacy(
                options.hasStreamIdentifier(),
                options.getStreamIdentifier(),
                options.getGroupName(),
                options.getSettings().getRevision());
    }

    @SuppressWarnings("deprecation")
    private Legacy legacy(UpdateReq.Options options) {
        return legacy(
                options.hasStreamIdentifier(),
                options.getStreamIdentifier(),
                options.getGroupName(),
                options.getSettings().getRevision());
    }

    private Legacy legacy(
            boolean present, io.factum.protocol.shared.StreamIdentifier stream, String group, long revision) {
        if (!present) {
            throw GrpcErrors.invalidArgument("options: 'stream' or 'all' is required");
        }
        return new Legacy(
                codec.streamKey(stream, group, "options.stream_identifier"), PersistentCodec.legacyStart(revision));
    }

    private static io.grpc.StatusRuntimeException sourceRequired() {
        return GrpcErrors.invalidArgument("options: 'stream_identifier' or 'all' is required");
    }

    private static <T> void unary(StreamObserver<T> observer, Supplier<T> body) {
        T reply;
        try {
            reply = body.get();
        } catch (RuntimeException e) {
            observer.onError(PersistentErrors.toStatus(e));
            return;
        }
        observer.onNext(reply);
        observer.onCompleted();
    }

    /** Puts the caller's address into the call's context. */
    private static final class RemoteAddress implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            String text = address == null ? "" : address.toString().replaceFirst("^[^/]*/", "");
            return Contexts.interceptCall(Context.current().withValue(REMOTE, text), call, headers, next);
        }
    }
}
