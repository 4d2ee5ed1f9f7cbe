package io.factum.server.it;

import static io.factum.server.it.HostileInputTest.name;

import com.google.protobuf.ByteString;
import com.google.protobuf.Value;
import io.factum.protocol.FactumWire;
import io.factum.protocol.gossip.GossipGrpc;
import io.factum.protocol.persistent.PersistentSubscriptionsGrpc;
import io.factum.protocol.persistent.ReadReq;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.shared.StreamIdentifier;
import io.factum.protocol.users.ChangePasswordReq;
import io.factum.protocol.users.CreateReq;
import io.factum.protocol.users.DeleteReq;
import io.factum.protocol.users.DetailsReq;
import io.factum.protocol.users.DisableReq;
import io.factum.protocol.users.ResetPasswordReq;
import io.factum.protocol.users.UpdateReq;
import io.factum.protocol.users.UsersGrpc;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.SchemaFormat;
import io.factum.protocol.v2.streams.SchemaInfo;
import io.factum.protocol.v2.streams.StreamsServiceGrpc;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The hostile cases for the services beside Streams, sent as the administrator so that what is
 * refused is the input, not the caller: the Users service, persistent subscriptions, the v2
 * AppendSession (KurrentDB 25.1 multi-stream append) and Gossip. Each gets undecodable bytes on every
 * method, and requests that decode but are invalid: missing options, bad names, values out of range,
 * wrong kinds of values, oversized messages.
 */
final class HostileServices {

    private static final Set<Status.Code> INVALID = Set.of(Status.Code.INVALID_ARGUMENT);

    private HostileServices() {}

    static List<HostileInputTest.Case> cases(Channel admin) {
        List<HostileInputTest.Case> cases = new ArrayList<>();
        cases.addAll(garbage(admin));
        cases.addAll(users(admin));
        cases.addAll(persistent(admin));
        cases.addAll(appendSession(admin));
        cases.addAll(gossip(admin));
        return cases;
    }

    /** Three undecodable payloads to every method of the four services. */
    private static List<HostileInputTest.Case> garbage(Channel admin) {
        List<MethodDescriptor<?, ?>> methods = new ArrayList<>();
        methods.addAll(UsersGrpc.getServiceDescriptor().getMethods());
        methods.addAll(PersistentSubscriptionsGrpc.getServiceDescriptor().getMethods());
        methods.addAll(StreamsServiceGrpc.getServiceDescriptor().getMethods());
        methods.addAll(GossipGrpc.getServiceDescriptor().getMethods());
        Map<String, byte[]> payloads = Map.of(
                "a lone 0xFF", new byte[] {(byte) 0xFF},
                "a length past the end", new byte[] {0x0A, 0x7F, 0x01, 0x02},
                "wire type 7", new byte[] {0x0F});
        List<HostileInputTest.Case> cases = new ArrayList<>();
        for (MethodDescriptor<?, ?> method : methods) {
            payloads.forEach((what, payload) -> cases.add(new HostileInputTest.Case(
                    "garbage (" + what + ") to " + method.getFullMethodName(),
                    () -> HostileInputTest.rawCall(admin, method.getFullMethodName(), method.getType(), payload),
                    INVALID)));
        }
        return cases;
    }

    private static List<HostileInputTest.Case> users(Channel admin) {
        var users = UsersGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS);
        List<HostileInputTest.Case> cases = new ArrayList<>();
        cases.add(unary("users: create without options", () -> users.create(CreateReq.getDefaultInstance()), INVALID));
        for (var bad : Map.of(
                        "an empty login", "",
                        "a login with a colon", "eve:x",
                        "a login with a control character", "eve\u0001",
                        "a login of 1025 characters", "e".repeat(1025),
                        "a $-login", "$eve")
                .entrySet()) {
            cases.add(unary(
                    "users: create with " + bad.getKey(),
                    () -> users.create(create(bad.getValue(), "pw", "g")),
                    INVALID));
        }
        cases.add(unary("users: create with an empty password", () -> users.create(create("eve", "", "g")), INVALID));
        cases.add(unary("users: create with an empty group", () -> users.create(create("eve", "pw", "")), INVALID));
        cases.add(unary(
                "users: create of an existing user",
                () -> users.create(create("bob", "pw", "g")),
                Set.of(Status.Code.FAILED_PRECONDITION)));
        cases.add(unary(
                "users: update of a missing user",
                () -> users.update(UpdateReq.newBuilder()
                        .setOptions(UpdateReq.Options.newBuilder()
                                .setLoginName("nobody")
                                .setFullName("N"))
                        .build()),
                Set.of(Status.Code.NOT_FOUND)));
        cases.add(unary("users: update without options", () -> users.update(UpdateReq.getDefaultInstance()), INVALID));
        cases.add(unary("users: delete without options", () -> users.delete(DeleteReq.getDefaultInstance()), INVALID));
        cases.add(unary(
                "users: disable of a missing user",
                () -> users.disable(DisableReq.newBuilder()
                        .setOptions(DisableReq.Options.newBuilder().setLoginName("nobody"))
                        .build()),
                Set.of(Status.Code.NOT_FOUND)));
        cases.add(unary(
                "users: details of a login with a control character",
                () -> users.details(DetailsReq.newBuilder()
                        .setOptions(DetailsReq.Options.newBuilder().setLoginName("a\u0000b"))
                        .build()),
                INVALID));
        cases.add(unary(
                "users: reset to an empty password",
                () -> users.resetPassword(ResetPasswordReq.newBuilder()
                        .setOptions(ResetPasswordReq.Options.newBuilder()
                                .setLoginName("bob")
                                .setNewPassword(""))
                        .build()),
                INVALID));
        cases.add(unary(
                "users: change password without options",
                () -> users.changePassword(ChangePasswordReq.getDefaultInstance()),
                INVALID));
        cases.add(unary(
                "users: create of 20 MiB",
                () -> users.create(create("eve", "x".repeat(20 << 20), "g")),
                Set.of(Status.Code.RESOURCE_EXHAUSTED)));
        return cases;
    }

    private static CreateReq create(String login, String password, String group) {
        return CreateReq.newBuilder()
                .setOptions(CreateReq.Options.newBuilder()
                        .setLoginName(login)
                        .setFullName("Eve")
                        .setPassword(password)
                        .addGroups(group))
                .build();
    }

    private static List<HostileInputTest.Case> persistent(Channel admin) {
        var groups = PersistentSubscriptionsGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS);
        List<HostileInputTest.Case> cases = new ArrayList<>();
        cases.add(unary(
                "persistent: create without options",
                () -> groups.create(io.factum.protocol.persistent.CreateReq.getDefaultInstance()),
                INVALID));
        cases.add(unary("persistent: create without a group name", () -> groups.create(create("victim", "")), INVALID));
        cases.add(unary(
                "persistent: create on an empty stream name",
                () -> groups.create(createOn(StreamIdentifier.getDefaultInstance(), "g")),
                INVALID));
        cases.add(unary(
                "persistent: create on a name with a control character",
                () -> groups.create(createOn(name("bad\u0002name"), "g")),
                INVALID));
        cases.add(unary(
                "persistent: create with a group of 2000 characters",
                () -> groups.create(create("victim", "g".repeat(2000))),
                INVALID));
        for (var bad :
                Map
                        .<String,
                                java.util.function.UnaryOperator<
                                        io.factum.protocol.persistent.CreateReq.Settings.Builder>>
                                of(
                                        "a negative retry count", s -> s.setMaxRetryCount(-1),
                                        "a negative live buffer", s -> s.setLiveBufferSize(-5),
                                        "a zero read batch", s -> s.setReadBatchSize(0),
                                        "a negative message timeout", s -> s.setMessageTimeoutMs(-1),
                                        "an unknown consumer strategy", s -> s.setConsumerStrategy("Telepathy"))
                        .entrySet()) {
            cases.add(unary(
                    "persistent: create with " + bad.getKey(),
                    () -> groups.create(withSettings(create("victim", "g-bad"), bad.getValue())),
                    INVALID));
        }
        cases.add(unary(
                "persistent: delete of a missing group",
                () -> groups.delete(io.factum.protocol.persistent.DeleteReq.newBuilder()
                        .setOptions(io.factum.protocol.persistent.DeleteReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setGroupName("none"))
                        .build()),
                Set.of(Status.Code.NOT_FOUND)));
        cases.add(unary(
                "persistent: info of a missing group",
                () -> groups.getInfo(io.factum.protocol.persistent.GetInfoReq.newBuilder()
                        .setOptions(io.factum.protocol.persistent.GetInfoReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setGroupName("none"))
                        .build()),
                Set.of(Status.Code.NOT_FOUND)));
        MethodDescriptor<ReadReq, io.factum.protocol.persistent.ReadResp> read =
                PersistentSubscriptionsGrpc.getReadMethod();
        ReadReq options = ReadReq.newBuilder()
                .setOptions(ReadReq.Options.newBuilder()
                        .setStreamIdentifier(name("victim"))
                        .setGroupName("none")
                        .setBufferSize(10)
                        .setUuidOption(ReadReq.Options.UUIDOption.newBuilder().setString(Empty.getDefaultInstance())))
                .build();
        ReadReq ack =
                ReadReq.newBuilder().setAck(ReadReq.Ack.getDefaultInstance()).build();
        cases.add(new HostileInputTest.Case(
                "persistent: read of a missing group",
                () -> GrpcCalls.streaming(admin, read, List.of(options)),
                Set.of(Status.Code.NOT_FOUND)));
        cases.add(new HostileInputTest.Case(
                "persistent: read that acks before its options",
                () -> GrpcCalls.streaming(admin, read, List.of(ack)),
                INVALID));
        cases.add(new HostileInputTest.Case(
                "persistent: read with an empty request",
                () -> GrpcCalls.streaming(admin, read, List.of(ReadReq.getDefaultInstance())),
                INVALID));
        cases.add(new HostileInputTest.Case(
                "persistent: read with a zero buffer",
                () -> GrpcCalls.streaming(
                        admin,
                        read,
                        List.of(options.toBuilder()
                                .setOptions(options.getOptions().toBuilder().setBufferSize(0))
                                .build())),
                INVALID));
        cases.add(new HostileInputTest.Case(
                "persistent: read of a stream named with a NUL",
                () -> GrpcCalls.streaming(
                        admin,
                        read,
                        List.of(options.toBuilder()
                                .setOptions(options.getOptions().toBuilder().setStreamIdentifier(name("a\u0000b")))
                                .build())),
                INVALID));
        return cases;
    }

    private static io.factum.protocol.persistent.CreateReq create(String stream, String group) {
        return createOn(name(stream), group);
    }

    private static io.factum.protocol.persistent.CreateReq createOn(StreamIdentifier stream, String group) {
        var settings = io.factum.protocol.persistent.CreateReq.Settings.newBuilder()
                .setMaxRetryCount(10)
                .setMinCheckpointCount(1)
                .setMaxCheckpointCount(10)
                .setLiveBufferSize(100)
                .setReadBatchSize(20)
                .setHistoryBufferSize(100)
                .setMessageTimeoutMs(30_000)
                .setCheckpointAfterMs(1_000)
                .setConsumerStrategy("RoundRobin");
        return io.factum.protocol.persistent.CreateReq.newBuilder()
                .setOptions(io.factum.protocol.persistent.CreateReq.Options.newBuilder()
                        .setStream(io.factum.protocol.persistent.CreateReq.StreamOptions.newBuilder()
                                .setStreamIdentifier(stream)
                                .setStart(Empty.getDefaultInstance()))
                        .setGroupName(group)
                        .setSettings(settings))
                .build();
    }

    private static io.factum.protocol.persistent.CreateReq withSettings(
            io.factum.protocol.persistent.CreateReq request,
            java.util.function.UnaryOperator<io.factum.protocol.persistent.CreateReq.Settings.Builder> change) {
        var options = request.getOptions().toBuilder();
        options.setSettings(change.apply(options.getSettings().toBuilder()));
        return request.toBuilder().setOptions(options).build();
    }

    private static List<HostileInputTest.Case> appendSession(Channel admin) {
        MethodDescriptor<AppendRequest, ?> session = StreamsServiceGrpc.getAppendSessionMethod();
        List<HostileInputTest.Case> cases = new ArrayList<>();
        Map<String, AppendRequest> bad = new java.util.LinkedHashMap<>();
        bad.put("an empty stream name", request("", record()));
        bad.put("a stream named with a control character", request("bad\u0007name", record()));
        bad.put("a stream name of 1025 bytes", request("s".repeat(1025), record()));
        bad.put(
                "a record without a type",
                request("victim", record().toBuilder().clearSchema().build()));
        bad.put(
                "a type of 257 characters",
                request(
                        "victim",
                        record().toBuilder()
                                .setSchema(SchemaInfo.newBuilder()
                                        .setFormat(SchemaFormat.SCHEMA_FORMAT_JSON)
                                        .setName("t".repeat(257)))
                                .build()));
        bad.put(
                "a record id that is not a UUID",
                request("victim", record().toBuilder().setRecordId("not-a-uuid").build()));
        bad.put(
                "expected revision -3",
                request("victim", record()).toBuilder().setExpectedRevision(-3).build());
        bad.put(
                "expected revision -100",
                request("victim", record()).toBuilder()
                        .setExpectedRevision(-100)
                        .build());
        bad.put(
                "a NaN property",
                request(
                        "victim",
                        record().toBuilder()
                                .putProperties(
                                        "n",
                                        Value.newBuilder()
                                                .setNumberValue(Double.NaN)
                                                .build())
                                .build()));
        bad.put(
                "raw metadata that is a number",
                request(
                        "victim",
                        record().toBuilder()
                                .putProperties(
                                        FactumWire.METADATA_PROPERTY,
                                        Value.newBuilder().setNumberValue(1).build())
                                .build()));
        bad.put(
                "raw metadata that is not base64",
                request(
                        "victim",
                        record().toBuilder()
                                .putProperties(
                                        FactumWire.METADATA_PROPERTY,
                                        Value.newBuilder().setStringValue("***").build())
                                .build()));
        bad.put(
                "a record of 5 MiB (limit 4 MiB)",
                request(
                        "victim",
                        record().toBuilder()
                                .setSchema(SchemaInfo.newBuilder()
                                        .setFormat(SchemaFormat.SCHEMA_FORMAT_BYTES)
                                        .setName("Blob"))
                                .setData(ByteString.copyFrom(new byte[5 << 20]))
                                .build()));
        bad.put(
                "10,001 records",
                request(
                        "victim",
                        java.util.Collections.nCopies(10_001, record()).toArray(AppendRecord[]::new)));
        for (var entry : bad.entrySet()) {
            cases.add(new HostileInputTest.Case(
                    "append session with " + entry.getKey(),
                    () -> GrpcCalls.streaming(admin, session, List.of(entry.getValue())),
                    INVALID));
        }
        cases.add(new HostileInputTest.Case(
                "append session with a stream named $all",
                () -> GrpcCalls.streaming(admin, session, List.of(request("$all", record()))),
                HostileInputTest.ALL_IS_NOT_A_STREAM));
        cases.add(new HostileInputTest.Case(
                "append session whose second append is invalid",
                () -> GrpcCalls.streaming(admin, session, List.of(request("victim", record()), request("", record()))),
                INVALID));
        cases.add(new HostileInputTest.Case(
                "append session with a message of 20 MiB",
                () -> GrpcCalls.streaming(
                        admin,
                        session,
                        List.of(request(
                                "victim",
                                record().toBuilder()
                                        .setData(ByteString.copyFrom(new byte[20 << 20]))
                                        .build()))),
                Set.of(Status.Code.RESOURCE_EXHAUSTED)));
        cases.add(new HostileInputTest.Case(
                "append session with no appends",
                () -> GrpcCalls.streaming(admin, session, List.of()),
                Set.of(Status.Code.FAILED_PRECONDITION)));
        return cases;
    }

    private static AppendRequest request(String stream, AppendRecord... records) {
        return AppendRequest.newBuilder()
                .setStream(stream)
                .addAllRecords(List.of(records))
                .build();
    }

    private static AppendRecord record() {
        return AppendRecord.newBuilder()
                .setRecordId(java.util.UUID.randomUUID().toString())
                .setSchema(SchemaInfo.newBuilder()
                        .setFormat(SchemaFormat.SCHEMA_FORMAT_JSON)
                        .setName("T"))
                .setData(ByteString.copyFromUtf8("{}"))
                .build();
    }

    private static List<HostileInputTest.Case> gossip(Channel admin) {
        String method = GossipGrpc.getReadMethod().getFullMethodName();
        List<HostileInputTest.Case> cases = new ArrayList<>();
        cases.add(new HostileInputTest.Case(
                "gossip: a request of 20 MiB",
                () -> HostileInputTest.rawCall(admin, method, MethodDescriptor.MethodType.UNARY, new byte[20 << 20]),
                Set.of(Status.Code.RESOURCE_EXHAUSTED)));
        cases.add(new HostileInputTest.Case(
                "gossip: a truncated varint",
                () -> HostileInputTest.rawCall(
                        admin, method, MethodDescriptor.MethodType.UNARY, new byte[] {0x08, (byte) 0x80}),
                INVALID));
        return cases;
    }

    private static HostileInputTest.Case unary(
            String name, java.util.function.Supplier<?> call, Set<Status.Code> codes) {
        return new HostileInputTest.Case(name, () -> GrpcCalls.blocking(call), codes);
    }
}
