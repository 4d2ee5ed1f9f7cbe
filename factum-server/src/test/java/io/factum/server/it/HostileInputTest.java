package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.factum.protocol.persistent.PersistentSubscriptionsGrpc;
import io.factum.protocol.serverfeatures.ServerFeaturesGrpc;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.shared.StreamIdentifier;
import io.factum.protocol.shared.UUID;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.protocol.streams.DeleteReq;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.streams.StreamsGrpc;
import io.factum.protocol.streams.TombstoneReq;
import io.factum.protocol.users.CreateReq;
import io.factum.protocol.users.UsersGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends several hundred distinct malformed, invalid or unauthorised requests to a real server
 * process with authentication on ({@code --auth}), over gRPC (Streams, Users, persistent
 * subscriptions, the v2 AppendSession, Gossip) and over HTTP, then checks that each got a precise
 * client error, that the server still serves both protocols, and that the stored events (users,
 * groups and ACLs included, all kept in streams) are exactly what they were.
 *
 * <p>The cases about input are sent as the administrator, so that what is refused is the input;
 * the cases about credentials ({@link HostileAuth}) are well-formed requests refused for who sends
 * them: UNAUTHENTICATED (HTTP 401) without or with bad credentials, PERMISSION_DENIED (HTTP 403) for
 * a user whom the stream ACL or the operation excludes.
 */
class HostileInputTest {

    static final String ADMIN_PASSWORD = "admin-" + java.util.UUID.randomUUID();
    static final String BOB_PASSWORD = "bob-" + java.util.UUID.randomUUID();

    @TempDir
    static Path dir;

    static ServerProcess server;
    static ManagedChannel plain;
    /** {@link #plain} with the administrator's credentials on every call. */
    static Channel channel;

    static StreamsGrpc.StreamsBlockingStub streams;
    static StreamsGrpc.StreamsStub async;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"), 0, Map.of("FACTUM_ADMIN_PASSWORD", ADMIN_PASSWORD), "--auth");
        plain = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
        channel = GrpcCalls.as(plain, GrpcCalls.basic("admin", ADMIN_PASSWORD));
        streams = StreamsGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
        async = StreamsGrpc.newStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        if (plain != null) {
            plain.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    record Case(String name, Supplier<Status> attempt, Set<Status.Code> expected) {}

    /**
     * Writing or deleting {@code $all} is refused as invalid by the stream-name check, or as denied
     * by the access policy (which refuses it to everyone, administrators included) when that runs
     * first; both name {@code $all}. Which comes first differs between the v1 Append (name check)
     * and Tombstone and the v2 AppendSession (policy) when authentication is on.
     */
    static final Set<Status.Code> ALL_IS_NOT_A_STREAM =
            Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.PERMISSION_DENIED);

    @Test
    void everyHostileRequestIsRefusedPreciselyAndChangesNothing() throws Exception {
        append("victim", 0, "Seed", "{\"a\":1}");
        append("victim", 1, "Seed", "{\"a\":2}");
        lockDownAndAddBob();
        List<ReadResp> before = readAll();

        List<Case> cases = new ArrayList<>();
        cases.addAll(garbageBytes());
        cases.addAll(unknownMethods());
        cases.addAll(invalidAppends());
        cases.addAll(invalidReads());
        cases.addAll(invalidDeletes());
        cases.addAll(HostileServices.cases(channel));
        cases.addAll(HostileAuth.cases(plain, ADMIN_PASSWORD, BOB_PASSWORD));
        cases.addAll(HostileHttp.cases(
                server.port(), GrpcCalls.basic("admin", ADMIN_PASSWORD), GrpcCalls.basic("bob", BOB_PASSWORD)));

        Map<String, String> wrong = new LinkedHashMap<>();
        for (Case c : cases) {
            Status status = c.attempt().get();
            if (!c.expected().contains(status.getCode())) {
                wrong.put(c.name(), status.getCode() + ": " + status.getDescription());
            } else if (status.getCode() == Status.Code.INVALID_ARGUMENT
                    && (status.getDescription() == null
                            || status.getDescription().isBlank())) {
                wrong.put(c.name(), "INVALID_ARGUMENT without a message");
            }
        }

        assertThat(cases.size()).isGreaterThanOrEqualTo(400);
        assertThat(cases.stream().filter(c -> c.name().startsWith("HTTP ")).count())
                .isGreaterThanOrEqualTo(80);
        for (String kind : List.of("UNAUTHENTICATED", "PERMISSION_DENIED")) {
            assertThat(cases.stream()
                            .filter(c -> c.expected().equals(Set.of(Status.Code.valueOf(kind))))
                            .count())
                    .as(kind + " cases")
                    .isGreaterThanOrEqualTo(15);
        }
        assertThat(cases.stream().map(Case::name).distinct().count()).isEqualTo(cases.size());
        assertThat(wrong).as("requests answered with the wrong status").isEmpty();
        assertThat(server.isAlive()).as(server.output()).isTrue();
        ServerFeaturesGrpc.newBlockingStub(channel).getSupportedMethods(Empty.getDefaultInstance());
        // Anonymous callers may still discover the server, as the official clients must.
        ServerFeaturesGrpc.newBlockingStub(plain).getSupportedMethods(Empty.getDefaultInstance());
        assertThat(io.factum.protocol.gossip.GossipGrpc.newBlockingStub(plain)
                        .read(Empty.getDefaultInstance())
                        .getMembersCount())
                .isPositive();
        assertThat(readAll()).as("stored events are unchanged").isEqualTo(before);
        assertThat(HostileHttp.get(server.port(), "/health/ready")).isEqualTo(200);
        assertThat(HostileHttp.get(server.port(), "/streams/victim")).isEqualTo(200);
        append("victim", 2, "After", "{}");
        assertThat(readAll()).hasSize(before.size() + 1);
    }

    /**
     * Restricts {@code victim} to administrators, adds bob (no groups) and a persistent group on
     * {@code victim}, so that bob's requests are refused by the ACL and the operation, not by a
     * missing stream or group.
     */
    private static void lockDownAndAddBob() {
        String acl = "{\"$acl\":{\"$r\":\"$admins\",\"$w\":\"$admins\",\"$d\":\"$admins\","
                + "\"$mr\":\"$admins\",\"$mw\":\"$admins\"}}";
        assertThat(append(options(name("$$victim")), List.of(event("$metadata", acl))))
                .isEqualTo(Status.OK);
        UsersGrpc.newBlockingStub(channel)
                .create(CreateReq.newBuilder()
                        .setOptions(CreateReq.Options.newBuilder()
                                .setLoginName("bob")
                                .setFullName("Bob")
                                .setPassword(BOB_PASSWORD))
                        .build());
        PersistentSubscriptionsGrpc.newBlockingStub(channel)
                .create(io.factum.protocol.persistent.CreateReq.newBuilder()
                        .setOptions(io.factum.protocol.persistent.CreateReq.Options.newBuilder()
                                .setStream(io.factum.protocol.persistent.CreateReq.StreamOptions.newBuilder()
                                        .setStreamIdentifier(name("victim"))
                                        .setStart(Empty.getDefaultInstance()))
                                .setGroupName("victim-group")
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
                        .build());
    }

    // ---- the cases ----

    private static List<Case> garbageBytes() {
        List<Case> cases = new ArrayList<>();
        List<MethodDescriptor<?, ?>> methods = List.of(
                StreamsGrpc.getReadMethod(),
                StreamsGrpc.getAppendMethod(),
                StreamsGrpc.getDeleteMethod(),
                StreamsGrpc.getTombstoneMethod(),
                StreamsGrpc.getBatchAppendMethod(),
                ServerFeaturesGrpc.getGetSupportedMethodsMethod());
        Random random = new Random(42);
        List<byte[]> payloads = new ArrayList<>();
        payloads.add(new byte[] {(byte) 0xFF});
        payloads.add(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}); // huge length
        payloads.add(new byte[] {0x0A, 0x05, 0x01}); // truncated field
        payloads.add(new byte[] {0x0F}); // wire type 7 does not exist
        payloads.add(new byte[] {
            0x08,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            (byte) 0x80,
            0x01
        }); // varint longer than 10 bytes
        payloads.add(new byte[] {0x00}); // field number 0
        for (int i = 0; i < 6; i++) {
            byte[] noise = new byte[8 + random.nextInt(200)];
            random.nextBytes(noise);
            noise[0] = 0x0A; // a length-delimited field 1...
            noise[1] = (byte) 0x7F; // ...claiming more bytes than follow, at any nesting
            payloads.add(noise);
        }
        for (MethodDescriptor<?, ?> method : methods) {
            for (int i = 0; i < payloads.size(); i++) {
                byte[] payload = payloads.get(i);
                cases.add(new Case(
                        "garbage #" + i + " to " + method.getFullMethodName(),
                        () -> rawCall(method.getFullMethodName(), method.getType(), payload),
                        Set.of(Status.Code.INVALID_ARGUMENT)));
            }
        }
        return cases;
    }

    private static List<Case> unknownMethods() {
        List<Case> cases = new ArrayList<>();
        for (String name : List.of(
                "event_store.client.streams.Streams/Nope",
                "event_store.client.streams.Streams/read",
                "event_store.client.Nope/Read",
                "event_store.client.projections.Projections/Create",
                "event_store.client.operations.Operations/StartScavenge",
                "grpc.health.v1.Health/Check",
                "/",
                "x/y",
                "event_store.client.streams.Streams/Append/extra",
                "../../etc/passwd/Read")) {
            cases.add(new Case(
                    "unknown method " + name,
                    () -> rawCall(name, MethodDescriptor.MethodType.UNARY, new byte[0]),
                    Set.of(Status.Code.UNIMPLEMENTED)));
        }
        return cases;
    }

    private static List<Case> invalidAppends() {
        List<Case> cases = new ArrayList<>();
        Map<String, StreamIdentifier> badNames = new LinkedHashMap<>();
        badNames.put("empty name", StreamIdentifier.getDefaultInstance());
        badNames.put("invalid UTF-8 name", id(new byte[] {(byte) 0xC3, (byte) 0x28}));
        badNames.put("lone surrogate bytes", id(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        badNames.put("name of 1025 bytes", name("n".repeat(1025)));
        badNames.put("$all as a stream", name("$all"));
        badNames.put("control character", name("bad\u0001name"));
        badNames.put("newline", name("bad\nname"));
        badNames.put("NUL", name("bad\u0000name"));
        for (var entry : badNames.entrySet()) {
            cases.add(new Case(
                    "append with " + entry.getKey(),
                    () -> append(options(entry.getValue()), List.of(event("T", "{}"))),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        StreamIdentifier ok = name("victim");
        cases.add(new Case(
                "append without expected revision",
                () -> append(
                        AppendReq.Options.newBuilder().setStreamIdentifier(ok).build(), List.of(event("T", "{}"))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        for (long revision : new long[] {-1L, Long.MIN_VALUE, -2L, 1L << 63 | 5}) {
            cases.add(new Case(
                    "append expecting revision " + Long.toUnsignedString(revision),
                    () -> append(
                            AppendReq.Options.newBuilder()
                                    .setStreamIdentifier(ok)
                                    .setRevision(revision)
                                    .build(),
                            List.of(event("T", "{}"))),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        cases.add(new Case(
                "events before options",
                () -> appendRaw(List.of(
                        AppendReq.newBuilder()
                                .setProposedMessage(event("T", "{}"))
                                .build(),
                        AppendReq.newBuilder().setOptions(options(ok)).build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "options twice",
                () -> appendRaw(List.of(
                        AppendReq.newBuilder().setOptions(options(ok)).build(),
                        AppendReq.newBuilder().setOptions(options(ok)).build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "empty request message",
                () -> appendRaw(List.of(AppendReq.getDefaultInstance())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case("no messages at all", () -> appendRaw(List.of()), Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "event without type",
                () -> append(
                        options(ok),
                        List.of(event("T", "{}").toBuilder()
                                .removeMetadata("type")
                                .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "event without content-type",
                () -> append(
                        options(ok),
                        List.of(event("T", "{}").toBuilder()
                                .removeMetadata("content-type")
                                .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "event without id",
                () -> append(
                        options(ok),
                        List.of(event("T", "{}").toBuilder().clearId().build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        for (String badId :
                List.of("", "not-a-uuid", "1234", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "x".repeat(5000))) {
            cases.add(new Case(
                    "event id '" + (badId.length() > 20 ? badId.substring(0, 20) + "..." : badId) + "'",
                    () -> append(
                            options(ok),
                            List.of(event("T", "{}").toBuilder()
                                    .setId(UUID.newBuilder().setString(badId))
                                    .build())),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        for (String badType : List.of("", "t".repeat(257), "with\u0002control", "tab\tin type")) {
            cases.add(new Case(
                    "event type of " + badType.length() + " chars " + badType.hashCode(),
                    () -> append(options(ok), List.of(event(badType, "{}"))),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        cases.add(new Case(
                "event of 5 MiB (limit 4 MiB)",
                () -> append(options(ok), List.of(binaryEvent(5 << 20))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "append of 17 MiB in 5 events",
                () -> append(
                        options(ok),
                        List.of(
                                binaryEvent(3_600_000),
                                binaryEvent(3_600_000),
                                binaryEvent(3_600_000),
                                binaryEvent(3_600_000),
                                binaryEvent(3_600_000))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "one message of 20 MiB",
                () -> append(options(ok), List.of(binaryEvent(20 << 20))),
                Set.of(Status.Code.RESOURCE_EXHAUSTED)));
        cases.add(new Case(
                "10,001 events in one append",
                () -> append(options(ok), java.util.Collections.nCopies(10_001, event("T", "{}"))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "metadata event that is not valid metadata",
                () -> append(options(name("$$victim")), List.of(event("$metadata", "{\"$maxCount\":\"many\"}"))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        return cases;
    }

    private static List<Case> invalidReads() {
        List<Case> cases = new ArrayList<>();
        ReadReq.Options.StreamOptions okStream = ReadReq.Options.StreamOptions.newBuilder()
                .setStreamIdentifier(name("victim"))
                .setStart(Empty.getDefaultInstance())
                .build();
        cases.add(new Case(
                "read without options",
                () -> read(ReadReq.getDefaultInstance()),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "read without stream or all",
                () -> read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder().setCount(1))
                        .build()),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "read without count or subscription",
                () -> read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder().setStream(okStream))
                        .build()),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "read stream without revision option",
                () -> readOptions(ReadReq.Options.newBuilder()
                        .setStream(okStream.toBuilder().clearRevisionOption())
                        .setCount(1)),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "read all without position option",
                () -> readOptions(ReadReq.Options.newBuilder()
                        .setAll(ReadReq.Options.AllOptions.getDefaultInstance())
                        .setCount(1)),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        for (int direction : new int[] {2, 7, -1, 1000}) {
            cases.add(new Case(
                    "read direction " + direction,
                    () -> readOptions(ReadReq.Options.newBuilder()
                            .setStream(okStream)
                            .setCount(1)
                            .setReadDirectionValue(direction)),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        Map<String, StreamIdentifier> badNames = new LinkedHashMap<>();
        badNames.put("empty", StreamIdentifier.getDefaultInstance());
        badNames.put("invalid UTF-8", id(new byte[] {(byte) 0xFF, (byte) 0xFE}));
        badNames.put("1025 bytes", name("r".repeat(1025)));
        badNames.put("control char", name("a\u0003b"));
        for (var entry : badNames.entrySet()) {
            cases.add(new Case(
                    "read stream named " + entry.getKey(),
                    () -> readOptions(ReadReq.Options.newBuilder()
                            .setStream(okStream.toBuilder().setStreamIdentifier(entry.getValue()))
                            .setCount(1)),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
            cases.add(new Case(
                    "subscribe to stream named " + entry.getKey(),
                    () -> readOptions(ReadReq.Options.newBuilder()
                            .setStream(okStream.toBuilder().setStreamIdentifier(entry.getValue()))
                            .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance())),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        for (String regex : List.of("(", "[a-", "*x", "a{2,1}", "(?<name", "\\")) {
            var filter = ReadReq.Options.FilterOptions.newBuilder()
                    .setStreamIdentifier(ReadReq.Options.FilterOptions.Expression.newBuilder()
                            .setRegex(regex))
                    .setCount(Empty.getDefaultInstance());
            cases.add(new Case(
                    "read all with regex " + regex,
                    () -> readOptions(allFrom().setCount(10).setFilter(filter)),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
            cases.add(new Case(
                    "subscribe to all with regex " + regex,
                    () -> readOptions(allFrom()
                            .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance())
                            .setFilter(filter)),
                    Set.of(Status.Code.INVALID_ARGUMENT)));
        }
        cases.add(new Case(
                "filter without regex or prefix",
                () -> readOptions(allFrom()
                        .setCount(1)
                        .setFilter(ReadReq.Options.FilterOptions.newBuilder()
                                .setEventType(ReadReq.Options.FilterOptions.Expression.getDefaultInstance()))),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "subscription reading backwards",
                () -> readOptions(ReadReq.Options.newBuilder()
                        .setStream(okStream)
                        .setReadDirection(ReadReq.Options.ReadDirection.Backwards)
                        .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "subscription from revision 2^63",
                () -> readOptions(ReadReq.Options.newBuilder()
                        .setStream(okStream.toBuilder().setRevision(1L << 63))
                        .setSubscription(ReadReq.Options.SubscriptionOptions.getDefaultInstance())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        return cases;
    }

    private static List<Case> invalidDeletes() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case(
                "delete without options",
                () -> unary(() -> streams.delete(DeleteReq.getDefaultInstance())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "tombstone without options",
                () -> unary(() -> streams.tombstone(TombstoneReq.getDefaultInstance())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "delete without expected revision",
                () -> unary(() -> streams.delete(DeleteReq.newBuilder()
                        .setOptions(DeleteReq.Options.newBuilder().setStreamIdentifier(name("victim")))
                        .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "tombstone without expected revision",
                () -> unary(() -> streams.tombstone(TombstoneReq.newBuilder()
                        .setOptions(TombstoneReq.Options.newBuilder().setStreamIdentifier(name("victim")))
                        .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "delete expecting revision 2^64-1",
                () -> unary(() -> streams.delete(DeleteReq.newBuilder()
                        .setOptions(DeleteReq.Options.newBuilder()
                                .setStreamIdentifier(name("victim"))
                                .setRevision(-1L))
                        .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        cases.add(new Case(
                "tombstone of $all",
                () -> unary(() -> streams.tombstone(TombstoneReq.newBuilder()
                        .setOptions(TombstoneReq.Options.newBuilder()
                                .setStreamIdentifier(name("$all"))
                                .setAny(Empty.getDefaultInstance()))
                        .build())),
                ALL_IS_NOT_A_STREAM));
        cases.add(new Case(
                "delete of an empty name",
                () -> unary(() -> streams.delete(DeleteReq.newBuilder()
                        .setOptions(DeleteReq.Options.newBuilder()
                                .setStreamIdentifier(StreamIdentifier.getDefaultInstance())
                                .setAny(Empty.getDefaultInstance()))
                        .build())),
                Set.of(Status.Code.INVALID_ARGUMENT)));
        return cases;
    }

    // ---- helpers ----

    private static ReadReq.Options.Builder allFrom() {
        return ReadReq.Options.newBuilder()
                .setAll(ReadReq.Options.AllOptions.newBuilder().setStart(Empty.getDefaultInstance()));
    }

    static StreamIdentifier name(String stream) {
        return StreamIdentifier.newBuilder()
                .setStreamName(ByteString.copyFromUtf8(stream))
                .build();
    }

    static StreamIdentifier id(byte[] bytes) {
        return StreamIdentifier.newBuilder()
                .setStreamName(ByteString.copyFrom(bytes))
                .build();
    }

    static AppendReq.Options options(StreamIdentifier stream) {
        return AppendReq.Options.newBuilder()
                .setStreamIdentifier(stream)
                .setAny(Empty.getDefaultInstance())
                .build();
    }

    static AppendReq.ProposedMessage event(String type, String json) {
        java.util.UUID id = java.util.UUID.randomUUID();
        return AppendReq.ProposedMessage.newBuilder()
                .setId(UUID.newBuilder().setString(id.toString()))
                .putMetadata("type", type)
                .putMetadata("content-type", "application/json")
                .setData(ByteString.copyFromUtf8(json))
                .build();
    }

    static AppendReq.ProposedMessage binaryEvent(int size) {
        return event("Blob", "").toBuilder()
                .putMetadata("content-type", "application/octet-stream")
                .setData(ByteString.copyFrom(new byte[size]))
                .build();
    }

    static Status append(AppendReq.Options options, List<AppendReq.ProposedMessage> events) {
        List<AppendReq> requests = new ArrayList<>();
        requests.add(AppendReq.newBuilder().setOptions(options).build());
        for (AppendReq.ProposedMessage event : events) {
            requests.add(AppendReq.newBuilder().setProposedMessage(event).build());
        }
        return appendRaw(requests);
    }

    static Status appendRaw(List<AppendReq> requests) {
        CompletableFuture<Status> done = new CompletableFuture<>();
        StreamObserver<AppendReq> call = async.withDeadlineAfter(60, TimeUnit.SECONDS)
                .append(new StreamObserver<>() {
                    @Override
                    public void onNext(AppendResp value) {
                        if (value.hasWrongExpectedVersion()) {
                            done.complete(Status.FAILED_PRECONDITION.withDescription("wrong expected version"));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(Status.OK);
                    }
                });
        try {
            for (AppendReq request : requests) {
                call.onNext(request);
            }
            call.onCompleted();
        } catch (RuntimeException e) {
            return Status.fromThrowable(e);
        }
        return done.join();
    }

    static void append(String stream, long expected, String type, String json) {
        AppendReq.Options options = AppendReq.Options.newBuilder()
                .setStreamIdentifier(name(stream))
                .setRevision(expected)
                .build();
        if (expected == 0) {
            options =
                    options.toBuilder().setNoStream(Empty.getDefaultInstance()).build();
        } else {
            options = options.toBuilder().setRevision(expected - 1).build();
        }
        assertThat(append(options, List.of(event(type, json)))).isEqualTo(Status.OK);
    }

    static Status read(ReadReq request) {
        try {
            Iterator<ReadResp> responses = streams.read(request);
            int seen = 0;
            while (responses.hasNext() && seen < 5) {
                ReadResp response = responses.next();
                seen++;
                if (response.hasConfirmation()) {
                    return Status.OK.withDescription("subscription confirmed");
                }
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    static Status readOptions(ReadReq.Options.Builder options) {
        return read(ReadReq.newBuilder().setOptions(options).build());
    }

    static Status unary(Runnable call) {
        try {
            call.run();
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    static List<ReadResp> readAll() {
        List<ReadResp> out = new ArrayList<>();
        streams.read(ReadReq.newBuilder()
                        .setOptions(allFrom().setCount(100_000).setNoFilter(Empty.getDefaultInstance()))
                        .build())
                .forEachRemaining(out::add);
        return out;
    }

    /** A call as the administrator with raw bytes as the request, whatever the method expects. */
    static Status rawCall(String fullMethodName, MethodDescriptor.MethodType type, byte[] payload) {
        return rawCall(channel, fullMethodName, type, payload);
    }

    /** A call on {@code channel} with raw bytes as the request, whatever the method expects. */
    static Status rawCall(Channel channel, String fullMethodName, MethodDescriptor.MethodType type, byte[] payload) {
        MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(Bytes.INSTANCE)
                .setResponseMarshaller(Bytes.INSTANCE)
                .build();
        try {
            var call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
            if (type == MethodDescriptor.MethodType.UNARY) {
                ClientCalls.blockingUnaryCall(call, payload);
            } else if (type == MethodDescriptor.MethodType.SERVER_STREAMING) {
                ClientCalls.blockingServerStreamingCall(call, payload).forEachRemaining(r -> {});
            } else {
                CompletableFuture<Status> done = new CompletableFuture<>();
                StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {}

                    @Override
                    public void onError(Throwable t) {
                        done.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(Status.OK);
                    }
                });
                requests.onNext(payload);
                requests.onCompleted();
                return done.join();
            }
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }

    enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
