package io.factum.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.factum.api.Direction;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.protocol.FactumWire;
import io.factum.protocol.dcb.DcbGrpc;
import io.factum.protocol.shared.Empty;
import io.factum.protocol.shared.UUID;
import io.factum.protocol.streams.AppendReq;
import io.factum.protocol.streams.AppendResp;
import io.factum.protocol.streams.BatchAppendReq;
import io.factum.protocol.streams.BatchAppendResp;
import io.factum.protocol.streams.ReadReq;
import io.factum.protocol.streams.ReadResp;
import io.factum.protocol.streams.StreamsGrpc;
import io.factum.protocol.v2.streams.AppendRecord;
import io.factum.protocol.v2.streams.AppendRequest;
import io.factum.protocol.v2.streams.AppendSessionResponse;
import io.factum.protocol.v2.streams.SchemaFormat;
import io.factum.protocol.v2.streams.SchemaInfo;
import io.factum.protocol.v2.streams.StreamsServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every transport appends through the one gate: each is counted under its own labels on /metrics,
 * and tags travel over the KurrentDB protocols as the {@code factum-tags} property.
 */
class AppendGateTransportsTest {

    @TempDir
    static Path dir;

    static GrpcTestServer server;
    static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        server = GrpcTestServer.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static UUID newId() {
        java.util.UUID id = java.util.UUID.randomUUID();
        return UUID.newBuilder()
                .setStructured(UUID.Structured.newBuilder()
                        .setMostSignificantBits(id.getMostSignificantBits())
                        .setLeastSignificantBits(id.getLeastSignificantBits()))
                .build();
    }

    static Map<String, String> v1Metadata(String type, String... extra) {
        var map = new java.util.HashMap<String, String>();
        map.put("type", type);
        map.put("content-type", "application/json");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            map.put(extra[i], extra[i + 1]);
        }
        return map;
    }

    static AppendResp v1Append(String stream, Map<String, String> metadata) throws Exception {
        var reply = new CompletableFuture<AppendResp>();
        StreamObserver<AppendReq> requests = StreamsGrpc.newStub(server.channel).append(observer(reply));
        requests.onNext(AppendReq.newBuilder()
                .setOptions(AppendReq.Options.newBuilder()
                        .setStreamIdentifier(ProtoCodec.streamIdentifier(stream))
                        .setAny(Empty.getDefaultInstance()))
                .build());
        requests.onNext(AppendReq.newBuilder()
                .setProposedMessage(AppendReq.ProposedMessage.newBuilder()
                        .setId(newId())
                        .putAllMetadata(metadata)
                        .setData(ByteString.copyFromUtf8("{}")))
                .build());
        requests.onCompleted();
        return reply.get(30, TimeUnit.SECONDS);
    }

    static BatchAppendResp batchAppend(String stream) throws Exception {
        var reply = new CompletableFuture<BatchAppendResp>();
        StreamObserver<BatchAppendReq> requests =
                StreamsGrpc.newStub(server.channel).batchAppend(observer(reply));
        requests.onNext(BatchAppendReq.newBuilder()
                .setCorrelationId(newId())
                .setOptions(BatchAppendReq.Options.newBuilder()
                        .setStreamIdentifier(ProtoCodec.streamIdentifier(stream))
                        .setAny(com.google.protobuf.Empty.getDefaultInstance()))
                .addProposedMessages(BatchAppendReq.ProposedMessage.newBuilder()
                        .setId(newId())
                        .putAllMetadata(v1Metadata("Batched", FactumWire.TAGS_PROPERTY, "[\"via:batch\"]"))
                        .setData(ByteString.copyFromUtf8("{}")))
                .setIsFinal(true)
                .build());
        BatchAppendResp response = reply.get(30, TimeUnit.SECONDS);
        requests.onCompleted();
        return response;
    }

    static AppendSessionResponse appendSession(String stream, Value tags) throws Exception {
        var reply = new CompletableFuture<AppendSessionResponse>();
        StreamObserver<AppendRequest> requests =
                StreamsServiceGrpc.newStub(server.channel).appendSession(observer(reply));
        requests.onNext(AppendRequest.newBuilder()
                .setStream(stream)
                .addRecords(AppendRecord.newBuilder()
                        .setRecordId(java.util.UUID.randomUUID().toString())
                        .setSchema(
                                SchemaInfo.newBuilder().setName("Sessioned").setFormat(SchemaFormat.SCHEMA_FORMAT_JSON))
                        .putProperties(
                                "source",
                                Value.newBuilder().setStringValue("test").build())
                        .putProperties(FactumWire.TAGS_PROPERTY, tags)
                        .setData(ByteString.copyFromUtf8("{}")))
                .build());
        requests.onCompleted();
        return reply.get(30, TimeUnit.SECONDS);
    }

    /** Completes with the first message, or fails with the call's error. */
    static <T> StreamObserver<T> observer(CompletableFuture<T> reply) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                reply.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                reply.completeExceptionally(new AssertionError("the call ended without a reply"));
            }
        };
    }

    static HttpResponse<String> http(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server.port() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static double metric(String text, String sample) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static List<String> tagsOf(String stream) {
        var found = (ReadStreamResult.Found) server.store.readStream(stream, 0, Direction.FORWARDS, 10);
        return found.events().getFirst().tags();
    }

    @Test
    void everyTransportIsCountedUnderItsOwnLabels() throws Exception {
        String before = http("GET", "/metrics", null).body();

        assertThat(v1Append("count-v1", v1Metadata("A")).hasSuccess()).isTrue();
        assertThat(batchAppend("count-batch").hasSuccess()).isTrue();
        assertThat(appendSession(
                                "count-session",
                                Value.newBuilder().setStringValue("[]").build())
                        .getOutputCount())
                .isEqualTo(1);
        DcbGrpc.newBlockingStub(server.channel)
                .append(io.factum.protocol.dcb.AppendRequest.newBuilder()
                        .addAppends(DcbServiceTest.part("count-dcb", DcbServiceTest.ANY, DcbServiceTest.event("D")))
                        .build());
        assertThat(http("POST", "/streams/count-http", "[{\"type\":\"H\",\"data\":{}}]")
                        .statusCode())
                .isEqualTo(201);
        // One refusal per path that reaches the store, counted by its reason.
        AppendResp conflict = v1AppendExpectingNoStream("count-v1");
        assertThat(conflict.hasWrongExpectedVersion()).isTrue();
        assertThat(http("POST", "/streams/count-http", "not json").statusCode()).isEqualTo(400);

        String after = http("GET", "/metrics", null).body();
        for (String api : List.of("append", "batch-append", "append-session", "dcb")) {
            String sample = "factum_appends_total{transport=\"grpc\",api=\"" + api + "\"}";
            assertThat(metric(after, sample) - metric(before, sample))
                    .as(sample)
                    .isEqualTo(1);
        }
        String httpSample = "factum_appends_total{transport=\"http\",api=\"stream\"}";
        assertThat(metric(after, httpSample) - metric(before, httpSample)).isEqualTo(1);
        String events = "factum_appended_events_total{transport=\"grpc\",api=\"batch-append\"}";
        assertThat(metric(after, events) - metric(before, events)).isEqualTo(1);
        String wev =
                "factum_append_failures_total{transport=\"grpc\",api=\"append\",reason=\"wrong-expected-version\"}";
        assertThat(metric(after, wev) - metric(before, wev)).isEqualTo(1);
        String bad = "factum_append_failures_total{transport=\"http\",api=\"stream\",reason=\"invalid-argument\"}";
        assertThat(metric(after, bad) - metric(before, bad)).isEqualTo(1);
    }

    static AppendResp v1AppendExpectingNoStream(String stream) throws Exception {
        var reply = new CompletableFuture<AppendResp>();
        StreamObserver<AppendReq> requests = StreamsGrpc.newStub(server.channel).append(observer(reply));
        requests.onNext(AppendReq.newBuilder()
                .setOptions(AppendReq.Options.newBuilder()
                        .setStreamIdentifier(ProtoCodec.streamIdentifier(stream))
                        .setNoStream(Empty.getDefaultInstance()))
                .build());
        requests.onCompleted();
        return reply.get(30, TimeUnit.SECONDS);
    }

    @Test
    void tagsTravelAsTheFactumTagsPropertyOverTheKurrentDbProtocols() throws Exception {
        v1Append("tags-v1", v1Metadata("Tagged", FactumWire.TAGS_PROPERTY, "[\"account:1\",\"region:eu\"]"));
        assertThat(tagsOf("tags-v1")).containsExactly("account:1", "region:eu");
        batchAppend("tags-batch");
        assertThat(tagsOf("tags-batch")).containsExactly("via:batch");
        Value list = Value.newBuilder()
                .setListValue(
                        ListValue.newBuilder().addValues(Value.newBuilder().setStringValue("via:v2")))
                .build();
        appendSession("tags-v2", list);
        assertThat(tagsOf("tags-v2")).containsExactly("via:v2");
        var found = (ReadStreamResult.Found) server.store.readStream("tags-v2", 0, Direction.FORWARDS, 1);
        RecordedEvent v2 = found.events().getFirst();
        assertThat(new String(v2.metadata(), java.nio.charset.StandardCharsets.UTF_8))
                .as("the tags property is not metadata")
                .isEqualTo("{\"source\":\"test\"}");

        // A KurrentDB read shows the tags as an ordinary metadata property, and untagged events without it.
        List<ReadResp> read = new ArrayList<>();
        StreamsGrpc.newBlockingStub(server.channel)
                .read(ReadReq.newBuilder()
                        .setOptions(ReadReq.Options.newBuilder()
                                .setStream(ReadReq.Options.StreamOptions.newBuilder()
                                        .setStreamIdentifier(ProtoCodec.streamIdentifier("tags-v1"))
                                        .setStart(Empty.getDefaultInstance()))
                                .setCount(10)
                                .setReadDirection(ReadReq.Options.ReadDirection.Forwards)
                                .setUuidOption(
                                        ReadReq.Options.UUIDOption.newBuilder().setString(Empty.getDefaultInstance()))
                                .setNoFilter(Empty.getDefaultInstance()))
                        .build())
                .forEachRemaining(read::add);
        var recorded = read.stream().filter(ReadResp::hasEvent).findFirst().orElseThrow();
        assertThat(recorded.getEvent().getEvent().getMetadataMap())
                .containsEntry(FactumWire.TAGS_PROPERTY, "[\"account:1\",\"region:eu\"]")
                .containsEntry("type", "Tagged");
        assertThat(ProtoCodec.recordedEvent(
                                server.store.readStream("count-http", 0, Direction.FORWARDS, 1)
                                                instanceof ReadStreamResult.Found f
                                        ? f.events().getFirst()
                                        : null,
                                true)
                        .getMetadataMap())
                .doesNotContainKey(FactumWire.TAGS_PROPERTY);
    }

    @Test
    void malformedTagsAreRefusedNamingTheProperty() {
        for (String malformed : List.of("account:1", "{\"a\":1}", "[1,2]", "[\"ok\"", "[\"a\",\"a\"]")) {
            var error = org.assertj.core.api.Assertions.catchThrowable(
                    () -> v1Append("tags-bad", v1Metadata("T", FactumWire.TAGS_PROPERTY, malformed)));
            StatusRuntimeException status = (StatusRuntimeException) error.getCause();
            assertThat(status.getStatus().getCode()).as(malformed).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(status.getStatus().getDescription()).as(malformed).contains("factum-tags");
        }
        assertThat(server.store.readStream("tags-bad", 0, Direction.FORWARDS, 1))
                .isNotInstanceOf(ReadStreamResult.Found.class);
    }
}
