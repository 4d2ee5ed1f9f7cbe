package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.ReadResult;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.StreamMetadata;
import com.eventstore.dbclient.SubscribeToAllOptions;
import com.eventstore.dbclient.SubscriptionListener;
import io.factum.protocol.users.ChangePasswordReq;
import io.factum.protocol.users.CreateReq;
import io.factum.protocol.users.DeleteReq;
import io.factum.protocol.users.DetailsReq;
import io.factum.protocol.users.DetailsResp;
import io.factum.protocol.users.DisableReq;
import io.factum.protocol.users.EnableReq;
import io.factum.protocol.users.ResetPasswordReq;
import io.factum.protocol.users.UpdateReq;
import io.factum.protocol.users.UsersGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with authentication on (loopback, {@code --auth}), the official EventStoreDB client for
 * streams, and the Users service through stubs generated from Factum's own users.proto (no Java
 * client has a Users API).
 */
class SecureServerTest {

    static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
    static final Metadata.Key<String> EXCEPTION = Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> LOGIN = Metadata.Key.of("login-name", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;

    static ServerProcess server;
    static EventStoreDBClient admin;
    static EventStoreDBClient anonymous;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"), 0, Map.of("FACTUM_ADMIN_PASSWORD", ADMIN_PASSWORD), "--auth");
        admin = client("admin", ADMIN_PASSWORD);
        anonymous = EventStoreDBClient.create(
                EventStoreDBConnectionString.parseOrThrow("esdb://localhost:" + server.port() + "?tls=false"));
        channel = NettyChannelBuilder.forAddress("localhost", server.port())
                .usePlaintext()
                .build();
        users("admin", ADMIN_PASSWORD).create(create("alice", "Alice", "alice-pw", "sales"));
        users("admin", ADMIN_PASSWORD).create(create("bob", "Bob", "bob-pw"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (EventStoreDBClient c : new EventStoreDBClient[] {admin, anonymous}) {
            if (c != null) {
                c.shutdown().get();
            }
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    static EventStoreDBClient client(String login, String password) {
        return EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(
                "esdb://" + login + ":" + password + "@localhost:" + server.port() + "?tls=false"));
    }

    static UsersGrpc.UsersBlockingStub users(String login, String password) {
        Metadata headers = new Metadata();
        headers.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString((login + ":" + password).getBytes(StandardCharsets.UTF_8)));
        return UsersGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static CreateReq create(String login, String fullName, String password, String... groups) {
        return CreateReq.newBuilder()
                .setOptions(CreateReq.Options.newBuilder()
                        .setLoginName(login)
                        .setFullName(fullName)
                        .setPassword(password)
                        .addAllGroups(List.of(groups)))
                .build();
    }

    static EventData json(String type) {
        return EventData.builderAsJson(type, "{}".getBytes(StandardCharsets.UTF_8))
                .build();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** The gRPC status a client call failed with. */
    static StatusRuntimeException failure(ThrowingCallable call) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(call).satisfies(t -> caught[0] = t);
        Throwable t = caught[0];
        while (t != null && !(t instanceof StatusRuntimeException)) {
            t = t.getCause();
        }
        assertThat(t).as("a gRPC status in %s", caught[0]).isInstanceOf(StatusRuntimeException.class);
        return (StatusRuntimeException) t;
    }

    static void assertStatus(ThrowingCallable call, Status.Code code) {
        assertThat(failure(call).getStatus().getCode()).isEqualTo(code);
    }

    @Test
    void theAdministratorWritesAndReads() throws Exception {
        String stream = unique("admin");
        admin.appendToStream(stream, json("A")).get();
        ReadResult read = admin.readStream(stream, ReadStreamOptions.get()).get();
        assertThat(read.getEvents()).hasSize(1);
        assertThat(admin.readAll(ReadAllOptions.get().maxCount(5)).get().getEvents())
                .isNotEmpty();
    }

    @Test
    void aWrongPasswordOrNoCredentialsIsUnauthenticated() throws Exception {
        EventStoreDBClient wrong = client("admin", "not-the-password");
        try {
            StatusRuntimeException e =
                    failure(() -> wrong.appendToStream(unique("x"), json("A")).get());
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).contains("wrong login or password");
        } finally {
            wrong.shutdown().get();
        }
        assertStatus(
                () -> anonymous.readStream(unique("x"), ReadStreamOptions.get()).get(), Status.Code.UNAUTHENTICATED);
        // Per-call credentials override the connection's (none here).
        String stream = unique("percall");
        anonymous
                .appendToStream(stream, AppendToStreamOptions.get().authenticated("bob", "bob-pw"), json("A"))
                .get();
        assertThat(anonymous
                        .readStream(stream, ReadStreamOptions.get().authenticated("bob", "bob-pw"))
                        .get()
                        .getEvents())
                .hasSize(1);
    }

    @Test
    void aclsGrantAndDenyStreamAccess() throws Exception {
        String stream = unique("orders");
        admin.appendToStream(stream, json("Placed")).get();
        var acl = com.eventstore.dbclient.Acls.newStreamAcl()
                .addReadRoles("alice")
                .addWriteRoles("sales");
        StreamMetadata metadata = new StreamMetadata();
        metadata.setAcl(acl);
        admin.setStreamMetadata(stream, metadata).get();

        ReadStreamOptions asAlice = ReadStreamOptions.get().authenticated("alice", "alice-pw");
        assertThat(admin.readStream(stream, asAlice).get().getEvents()).hasSize(1);
        admin.appendToStream(stream, AppendToStreamOptions.get().authenticated("alice", "alice-pw"), json("Paid"))
                .get();

        StatusRuntimeException denied =
                failure(() -> admin.readStream(stream, ReadStreamOptions.get().authenticated("bob", "bob-pw"))
                        .get());
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getTrailers().get(EXCEPTION)).isEqualTo("access-denied");
        assertStatus(
                () -> admin.appendToStream(
                                stream, AppendToStreamOptions.get().authenticated("bob", "bob-pw"), json("X"))
                        .get(),
                Status.Code.PERMISSION_DENIED);
        // Metadata defaults to $all for user streams: bob may read it, but not change the ACL once
        // the admin restricted $mw.
        var locked = com.eventstore.dbclient.Acls.newStreamAcl()
                .addReadRoles("alice")
                .addWriteRoles("sales")
                .addMetaWriteRoles("$admins");
        StreamMetadata lockedMetadata = new StreamMetadata();
        lockedMetadata.setAcl(locked);
        admin.setStreamMetadata(stream, lockedMetadata).get();
        assertStatus(
                () -> admin.setStreamMetadata(
                                stream,
                                AppendToStreamOptions.get().authenticated("bob", "bob-pw"),
                                new StreamMetadata())
                        .get(),
                Status.Code.PERMISSION_DENIED);
    }

    @Test
    void systemStreamsAndAllAreForAdministrators() {
        ReadAllOptions asBob = ReadAllOptions.get().authenticated("bob", "bob-pw");
        assertStatus(() -> admin.readAll(asBob).get(), Status.Code.PERMISSION_DENIED);
        assertStatus(
                () -> admin.subscribeToAll(
                                new SubscriptionListener() {},
                                SubscribeToAllOptions.get().authenticated("bob", "bob-pw"))
                        .get(),
                Status.Code.PERMISSION_DENIED);
        assertStatus(
                () -> admin.appendToStream(
                                "$secret", AppendToStreamOptions.get().authenticated("bob", "bob-pw"), json("X"))
                        .get(),
                Status.Code.PERMISSION_DENIED);
        assertStatus(
                () -> admin.readStream("$user-admin", ReadStreamOptions.get().authenticated("bob", "bob-pw"))
                        .get(),
                Status.Code.PERMISSION_DENIED);
    }

    @Test
    void usersAreManagedThroughTheUsersService() {
        var asAdmin = users("admin", ADMIN_PASSWORD);
        asAdmin.create(create("carol", "Carol", "carol-pw", "g1"));
        List<DetailsResp> carol = new ArrayList<>();
        asAdmin.details(DetailsReq.newBuilder()
                        .setOptions(DetailsReq.Options.newBuilder().setLoginName("carol"))
                        .build())
                .forEachRemaining(carol::add);
        assertThat(carol).hasSize(1);
        DetailsResp.UserDetails details = carol.getFirst().getUserDetails();
        assertThat(details.getLoginName()).isEqualTo("carol");
        assertThat(details.getFullName()).isEqualTo("Carol");
        assertThat(details.getGroupsList()).containsExactly("g1");
        assertThat(details.getDisabled()).isFalse();
        long nowTicks = System.currentTimeMillis() * 10_000;
        assertThat(details.getLastUpdated().getTicksSinceEpoch())
                .isBetween(nowTicks - 600_000_000L, nowTicks + 600_000_000L);

        asAdmin.update(UpdateReq.newBuilder()
                .setOptions(UpdateReq.Options.newBuilder()
                        .setLoginName("carol")
                        .setFullName("Carol C")
                        .addGroups("g2"))
                .build());
        List<String> all = new ArrayList<>();
        asAdmin.details(DetailsReq.getDefaultInstance())
                .forEachRemaining(r -> all.add(r.getUserDetails().getLoginName()));
        assertThat(all).contains("admin", "alice", "bob", "carol");

        // A user reads its own details and changes its own password.
        var asCarol = users("carol", "carol-pw");
        asCarol.details(DetailsReq.newBuilder()
                        .setOptions(DetailsReq.Options.newBuilder().setLoginName("carol"))
                        .build())
                .forEachRemaining(
                        r -> assertThat(r.getUserDetails().getGroupsList()).containsExactly("g2"));
        asCarol.changePassword(ChangePasswordReq.newBuilder()
                .setOptions(ChangePasswordReq.Options.newBuilder()
                        .setLoginName("carol")
                        .setCurrentPassword("carol-pw")
                        .setNewPassword("carol-pw2"))
                .build());
        assertStatus(
                () -> users("carol", "carol-pw")
                        .details(DetailsReq.newBuilder()
                                .setOptions(DetailsReq.Options.newBuilder().setLoginName("carol"))
                                .build())
                        .hasNext(),
                Status.Code.UNAUTHENTICATED);

        asAdmin.resetPassword(ResetPasswordReq.newBuilder()
                .setOptions(ResetPasswordReq.Options.newBuilder()
                        .setLoginName("carol")
                        .setNewPassword("carol-pw3"))
                .build());
        asAdmin.delete(DeleteReq.newBuilder()
                .setOptions(DeleteReq.Options.newBuilder().setLoginName("carol"))
                .build());
        StatusRuntimeException gone = failure(() -> asAdmin.details(DetailsReq.newBuilder()
                        .setOptions(DetailsReq.Options.newBuilder().setLoginName("carol"))
                        .build())
                .hasNext());
        assertThat(gone.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(gone.getTrailers().get(EXCEPTION)).isEqualTo("user-not-found");
        assertThat(gone.getTrailers().get(LOGIN)).isEqualTo("carol");
        assertStatus(
                () -> users("carol", "carol-pw3")
                        .details(DetailsReq.getDefaultInstance())
                        .hasNext(),
                Status.Code.UNAUTHENTICATED);
    }

    @Test
    void usersServiceErrorsAndRules() {
        var asAdmin = users("admin", ADMIN_PASSWORD);
        StatusRuntimeException conflict = failure(() -> asAdmin.create(create("alice", "", "x")));
        assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(conflict.getTrailers().get(EXCEPTION)).isEqualTo("user-conflict");
        assertThat(conflict.getTrailers().get(LOGIN)).isEqualTo("alice");

        StatusRuntimeException denied = failure(() -> users("bob", "bob-pw").create(create("eve", "", "x")));
        assertThat(denied.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.getTrailers().get(EXCEPTION)).isEqualTo("access-denied");
        // bob may not read alice, nor change her password; not even an admin changes another's.
        assertStatus(
                () -> users("bob", "bob-pw")
                        .details(DetailsReq.newBuilder()
                                .setOptions(DetailsReq.Options.newBuilder().setLoginName("alice"))
                                .build())
                        .hasNext(),
                Status.Code.PERMISSION_DENIED);
        assertStatus(
                () -> asAdmin.changePassword(ChangePasswordReq.newBuilder()
                        .setOptions(ChangePasswordReq.Options.newBuilder()
                                .setLoginName("alice")
                                .setCurrentPassword("alice-pw")
                                .setNewPassword("n"))
                        .build()),
                Status.Code.PERMISSION_DENIED);
        assertStatus(
                () -> users("bob", "bob-pw")
                        .changePassword(ChangePasswordReq.newBuilder()
                                .setOptions(ChangePasswordReq.Options.newBuilder()
                                        .setLoginName("bob")
                                        .setCurrentPassword("wrong")
                                        .setNewPassword("n"))
                                .build()),
                Status.Code.PERMISSION_DENIED);
        StatusRuntimeException missing = failure(() -> asAdmin.disable(DisableReq.newBuilder()
                .setOptions(DisableReq.Options.newBuilder().setLoginName("nobody"))
                .build()));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertStatus(() -> asAdmin.create(create("bad:name", "", "x")), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> asAdmin.create(create("nopassword", "", "")), Status.Code.INVALID_ARGUMENT);
        assertStatus(() -> users("admin", "wrong").create(create("eve", "", "x")), Status.Code.UNAUTHENTICATED);
    }

    @Test
    void aDisabledUserIsRefusedUntilEnabled() throws Exception {
        var asAdmin = users("admin", ADMIN_PASSWORD);
        asAdmin.create(create("dan", "", "dan-pw"));
        EventStoreDBClient dan = client("dan", "dan-pw");
        try {
            String stream = unique("dan");
            dan.appendToStream(stream, json("A")).get();
            asAdmin.disable(DisableReq.newBuilder()
                    .setOptions(DisableReq.Options.newBuilder().setLoginName("dan"))
                    .build());
            StatusRuntimeException refused =
                    failure(() -> dan.appendToStream(stream, json("B")).get());
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refused.getStatus().getDescription()).contains("disabled");
            asAdmin.enable(EnableReq.newBuilder()
                    .setOptions(EnableReq.Options.newBuilder().setLoginName("dan"))
                    .build());
            dan.appendToStream(stream, json("C")).get();
        } finally {
            dan.shutdown().get();
        }
    }

    @Test
    void serverFeaturesAdvertiseTheUsersService() throws ExecutionException, InterruptedException {
        var features = io.factum.protocol.serverfeatures.ServerFeaturesGrpc.newBlockingStub(channel)
                .getSupportedMethods(io.factum.protocol.shared.Empty.getDefaultInstance());
        assertThat(features.getMethodsList()).anySatisfy(m -> {
            assertThat(m.getServiceName()).isEqualTo("event_store.client.users.users");
            assertThat(m.getMethodName()).isEqualTo("changepassword");
        });
    }
}
