package io.factum.server.it;

import static io.factum.server.it.HostileInputTest.event;
import static io.factum.server.it.HostileInputTest.name;
import static io.factum.server.it.HostileInputTest.options;

import com.google.protobuf.ByteString;
import io.factum.protocol.gossip.GossipGrpc;
import io.factum.protocol.persistent.PersistentSubscriptionsGrpc;
import io.factum.protocol.serverfeatures.ServerFeaturesGrpc;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.StreamsGrpc;
import io.factum.protocol.streams.TombstoneReq;
import io.factum.protocol.users.CreateReq;
import io.factum.protocol.users.DetailsReq;
import io.factum.protocol.users.DisableReq;
import io.factum.protocol.users.ResetPasswordReq;
import io.factum.protocol.users.UsersGrpc;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.SchemaFormat;
import io.factum.protocol.v2.streams.SchemaInfo;
import io.factum.protocol.v2.streams.StreamsServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The requests a server with {@code --auth} must refuse for who sends them, not for what they say:
 * every one is well formed and would succeed as the administrator. Without credentials, with a wrong
 * password, an unknown user or a malformed {@code authorization} header the answer is
 * UNAUTHENTICATED; as {@code bob}, a user in no group, against the admins-only stream {@code victim}
 * or an administrator's operation, it is PERMISSION_DENIED.
 */
final class HostileAuth {

    private HostileAuth() {}

    /** The {@code authorization} headers that must not authenticate, by what they are. */
    static Map<String, String> unauthenticated(String adminPassword) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("no credentials", "");
        headers.put("a wrong password", GrpcCalls.basic("admin", adminPassword + "x"));
        headers.put("an unknown user", GrpcCalls.basic("mallory", adminPassword));
        headers.put("a header that is not base64", "Basic !!!not-base64!!!");
        headers.put(
                "credentials without a colon",
                "Basic " + java.util.Base64.getEncoder().encodeToString("admin".getBytes()));
        headers.put("a bearer token", "Bearer " + adminPassword);
        return headers;
    }

    static List<HostileInputTest.Case> cases(Channel plain, String adminPassword, String bobPassword) {
        List<HostileInputTest.Case> cases = new ArrayList<>();
        unauthenticated(adminPassword).forEach((who, header) -> {
            Channel as = GrpcCalls.as(plain, header);
            requests(as)
                    .forEach((what, call) -> cases.add(new HostileInputTest.Case(
                            what + " with " + who, call, Set.of(Status.Code.UNAUTHENTICATED))));
            if (!header.isEmpty()) {
                // Anonymous callers may discover the cluster and its features; wrong credentials may not.
                cases.add(new HostileInputTest.Case(
                        "gossip with " + who,
                        () -> GrpcCalls.blocking(() -> GossipGrpc.newBlockingStub(as)
                                .withDeadlineAfter(30, TimeUnit.SECONDS)
                                .read(Empty.getDefaultInstance())),
                        Set.of(Status.Code.UNAUTHENTICATED)));
                cases.add(new HostileInputTest.Case(
                        "server features with " + who,
                        () -> GrpcCalls.blocking(() -> ServerFeaturesGrpc.newBlockingStub(as)
                                .withDeadlineAfter(30, TimeUnit.SECONDS)
                                .getSupportedMethods(Empty.getDefaultInstance())),
                        Set.of(Status.Code.UNAUTHENTICATED)));
            }
        });
        Channel bob = GrpcCalls.as(plain, GrpcCalls.basic("bob", bobPassword));
        requests(bob)
                .forEach((what, call) -> cases.add(
                        new HostileInputTest.Case(what + " as bob", call, Set.of(Status.Code.PERMISSION_DENIED))));
        adminOnly(bob)
                .forEach((what, call) -> cases.add(
                        new HostileInputTest.Case(what + " as bob", call, Set.of(Status.Code.PERMISSION_DENIED))));
        return cases;
    }

    /** Requests on {@code victim} and {@code $all}, which only administrators may make. */
    private static Map<String, Supplier<Status>> requests(Channel as) {
        var streams = StreamsGrpc.newBlockingStub(as).withDeadlineAfter(30, TimeUnit.SECONDS);
        Map<String, Supplier<Status>> requests = new LinkedHashMap<>();
        requests.put(
                "append to victim",
                () -> GrpcCalls.streaming(
                        as,
                        StreamsGrpc.getAppendMethod(),
                        List.of(
                                AppendReq.newBuilder()
                                        .setOptions(options(name("victim")))
                                        .build(),
                                AppendReq.newBuilder()
                                        .setProposedMessage(event("T", "{}"))
                                        .build())));
        requests.put(
                "read victim",
                () -> GrpcCalls.blocking(() -> streams.read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder()
                                .setStream(ReadReq.Options.StreamOptions.newBuilder()
                                        .setStreamIdentifier(name("victim"))
                                        .setStart(Empty.getDefaultInstance()))
                                .setCount(10)
                                .setNoFilter(Empty.getDefaultInstance()))
                        .build())));
        requests.put(
                "read $all",
                () -> GrpcCalls.blocking(() -> streams.read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder()
                                .setAll(ReadReq.Options.AllOptions.newBuilder().setStart(Empty.getDefaultInstance()))
                                .setCount(10)
                                .setNoFilter(Empty.getDefaultInstance()))
                        .build())));
        requests.put(
                "subscribe to $all",
                () -> GrpcCalls.blocking(() -> streams.read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder()
                                .setAll(ReadReq.Options.AllOptions.newBuilder().setStart(Empty.getDefaultInstance()))
                                .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance())
                                .setNoFilter(Empty.getDefaultInstance()))
                        .build())));
        requests.put(
                "delete victim",
                () -> GrpcCalls.blocking(() -> streams.delete(DeleteReq.newBuilder()
                        .setOptions(DeleteReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setAny(Empty.getDefaultInstance()))
                        .build())));
        requests.put(
                "tombstone victim",
                () -> GrpcCalls.blocking(() -> streams.tombstone(TombstoneReq.newBuilder()
                        .setOptions(TombstoneReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setAny(Empty.getDefaultInstance()))
                        .build())));
        requests.put(
                "metadata of victim",
                () -> GrpcCalls.streaming(
                        as,
                        StreamsGrpc.getAppendMethod(),
                        List.of(
                                AppendReq.newBuilder()
                                        .setOptions(options(name("$$victim")))
                                        .build(),
                                AppendReq.newBuilder()
                                        .setProposedMessage(event("$metadata", "{}"))
                                        .build())));
        requests.put(
                "append session to victim",
                () -> GrpcCalls.streaming(
                        as,
                        StreamsServiceGrpc.getAppendSessionMethod(),
                        List.of(AppendRequest.newBuilder()
                                .setStream("victim")
                                .addRecords(AppendRecord.newBuilder()
                                        .setRecordId(java.util.UUID.randomUUID().toString())
                                        .setSchema(SchemaInfo.newBuilder()
                                                .setFormat(SchemaFormat.SCHEMA_FORMAT_JSON)
                                                .setName("T"))
                                        .setData(ByteString.copyFromUtf8("{}")))
                                .build())));
        requests.put(
                "persistent read of victim",
                () -> GrpcCalls.streaming(
                        as,
                        PersistentSubscriptionsGrpc.getReadMethod(),
                        List.of(io.factum.protocol.persistent.ReadReq.newBuilder()
                                .setOptions(io.factum.protocol.persistent.ReadReq.Options.newBuilder()
                                        .setStreamIdentifier(name("victim"))
                                        .setGroupName("victim-group")
                                        .setBufferSize(10)
                                        .setUuidOption(
                                                io.factum.protocol.persistent.ReadReq.Options.UUIDOption.newBuilder()
                                                        .setString(Empty.getDefaultInstance())))
                                .build())));
        return requests;
    }

    /** The administrator's operations: managing users and persistent subscriptions. */
    private static Map<String, Supplier<Status>> adminOnly(Channel as) {
        var users = UsersGrpc.newBlockingStub(as).withDeadlineAfter(30, TimeUnit.SECONDS);
        var groups = PersistentSubscriptionsGrpc.newBlockingStub(as).withDeadlineAfter(30, TimeUnit.SECONDS);
        Map<String, Supplier<Status>> requests = new LinkedHashMap<>();
        requests.put(
                "users: create",
                () -> GrpcCalls.blocking(() -> users.create(CreateReq.newBuilder()
                        .setOptions(CreateReq.Options.newBuilder()
                                .setLoginName("eve")
                                .setFullName("Eve")
                                .setPassword("eve-pw")
                                .addGroups("$admins"))
                        .build())));
        requests.put(
                "users: details of admin",
                () -> GrpcCalls.blocking(() -> users.details(DetailsReq.newBuilder()
                        .setOptions(DetailsReq.Options.newBuilder().setLoginName("admin"))
                        .build())));
        requests.put(
                "users: disable admin",
                () -> GrpcCalls.blocking(() -> users.disable(DisableReq.newBuilder()
                        .setOptions(DisableReq.Options.newBuilder().setLoginName("admin"))
                        .build())));
        requests.put(
                "users: reset admin's password",
                () -> GrpcCalls.blocking(() -> users.resetPassword(ResetPasswordReq.newBuilder()
                        .setOptions(ResetPasswordReq.Options.newBuilder()
                                .setLoginName("admin")
                                .setNewPassword("owned"))
                        .build())));
        requests.put(
                "users: delete admin",
                () -> GrpcCalls.blocking(() -> users.delete(io.factum.protocol.users.DeleteReq.newBuilder()
                        .setOptions(io.factum.protocol.users.DeleteReq.Options.newBuilder()
                                .setLoginName("admin"))
                        .build())));
        requests.put(
                "persistent: create on victim",
                () -> GrpcCalls.blocking(() -> groups.create(io.factum.protocol.persistent.CreateReq.newBuilder()
                        .setOptions(io.factum.protocol.persistent.CreateReq.Options.newBuilder()
                                .setStream(io.factum.protocol.persistent.CreateReq.StreamOptions.newBuilder()
                                        .setStreamIdentifier(name("victim"))
                                        .setStart(Empty.getDefaultInstance()))
                                .setGroupName("bobs-group")
                                .setSettings(io.factum.protocol.persistent.CreateReq.Settings.newBuilder()
                                        .setMaxRetryCount(10)
                                        .setMinCheckpointCount(1)
                                        .setMaxCheckpointCount(10)
                                        .setLiveBufferSize(100)
                                        .setReadBatchSize(20)
                                        .setHistoryBufferSize(100)
                                        .setMessageTimeoutMs(30_000)
                                        .setCheckpointAfterMs(1_000)
                                        .setConsumerStrategy("RoundRobin")))
                        .build())));
        requests.put(
                "persistent: delete victim-group",
                () -> GrpcCalls.blocking(() -> groups.delete(io.factum.protocol.persistent.DeleteReq.newBuilder()
                        .setOptions(io.factum.protocol.persistent.DeleteReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setGroupName("victim-group"))
                        .build())));
        requests.put(
                "persistent: restart the subsystem",
                () -> GrpcCalls.blocking(() -> groups.restartSubsystem(Empty.getDefaultInstance())));
        requests.put(
                "append to a system stream",
                () -> GrpcCalls.streaming(
                        as,
                        StreamsGrpc.getAppendMethod(),
                        List.of(
                                AppendReq.newBuilder()
                                        .setOptions(options(name("$secret")))
                                        .build(),
                                AppendReq.newBuilder()
                                        .setProposedMessage(event("T", "{}"))
                                        .build())));
        return requests;
    }
}
