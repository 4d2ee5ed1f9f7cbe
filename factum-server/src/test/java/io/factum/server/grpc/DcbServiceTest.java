package io.factum.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.factum.api.Direction;
import io.factum.api.Query;
import io.factum.api.ReadAllOptions;
import io.factum.protocol.FactumWire;
import io.factum.protocol.dcb.AppendCondition;
import io.factum.protocol.dcb.AppendRequest;
import io.factum.protocol.dcb.AppendResponse;
import io.factum.protocol.dcb.DcbGrpc;
import io.factum.protocol.dcb.Empty;
import io.factum.protocol.dcb.ExpectedVersion;
import io.factum.protocol.dcb.ProposedEvent;
import io.factum.protocol.dcb.QueryItem;
import io.factum.protocol.dcb.ReadRequest;
import io.factum.protocol.dcb.ReadResponse;
import io.factum.protocol.dcb.RecordedEvent;
import io.factum.protocol.dcb.StreamAppend;
import io.factum.protocol.dcb.SubscribeRequest;
import io.factum.protocol.dcb.SubscribeResponse;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Dcb service over a real server on loopback, through a raw generated stub. */
class DcbServiceTest {

    @TempDir
    static Path dir;

    static GrpcTestServer server;
    static DcbGrpc.DcbBlockingStub dcb;

    @BeforeAll
    static void start() throws Exception {
        server = GrpcTestServer.start(dir);
        dcb = DcbGrpc.newBlockingStub(server.channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static ProposedEvent event(String type, String... tags) {
        return ProposedEvent.newBuilder()
                .setId(UUID.randomUUID().toString())
                .setType(type)
                .setData(ByteString.copyFromUtf8("{\"t\":\"" + type + "\"}"))
                .addAllTags(List.of(tags))
                .build();
    }

    static StreamAppend part(String stream, ExpectedVersion expected, ProposedEvent... events) {
        return StreamAppend.newBuilder()
                .setStream(stream)
                .setExpected(expected)
                .addAllEvents(List.of(events))
                .build();
    }

    static final ExpectedVersion ANY =
            ExpectedVersion.newBuilder().setAny(Empty.getDefaultInstance()).build();
    static final ExpectedVersion NO_STREAM =
            ExpectedVersion.newBuilder().setNoStream(Empty.getDefaultInstance()).build();

    static io.factum.protocol.dcb.Query tagged(String... tags) {
        return io.factum.protocol.dcb.Query.newBuilder()
                .addItems(QueryItem.newBuilder().addAllTags(List.of(tags)))
                .build();
    }

    static List<ReadResponse> read(io.factum.protocol.dcb.Query query, io.factum.protocol.dcb.Direction direction) {
        List<ReadResponse> out = new ArrayList<>();
        dcb.read(ReadRequest.newBuilder()
                        .setQuery(query)
                        .setDirection(direction)
                        .setMaxCount(100)
                        .build())
                .forEachRemaining(out::add);
        return out;
    }

    static List<RecordedEvent> events(List<ReadResponse> responses) {
        return responses.stream()
                .filter(ReadResponse::hasEvent)
                .map(ReadResponse::getEvent)
                .toList();
    }

    @Test
    void anAtomicAppendToTwoStreamsReadsBackByQueryInBothDirections() {
        AppendResponse reply = dcb.append(AppendRequest.newBuilder()
                .addAppends(part("rd-course-1", NO_STREAM, event("CourseDefined", "course:rd1")))
                .addAppends(part(
                        "rd-student-1",
                        ANY,
                        event("StudentSubscribed", "course:rd1", "student:rd1"),
                        event("Unrelated", "student:rd1")))
                .build());

        assertThat(reply.getResultsList()).hasSize(2);
        assertThat(reply.getResults(0).getWritten()).isTrue();
        assertThat(reply.getResults(0).getStreamVersion()).isZero();
        assertThat(reply.getResults(1).getStreamVersion()).isEqualTo(1);
        long last = reply.getResults(1).getPosition();

        List<ReadResponse> forwards = read(tagged("course:rd1"), io.factum.protocol.dcb.Direction.FORWARDS);
        assertThat(events(forwards))
                .extracting(RecordedEvent::getType)
                .containsExactly("CourseDefined", "StudentSubscribed");
        RecordedEvent subscribed = events(forwards).get(1);
        assertThat(subscribed.getStream()).isEqualTo("rd-student-1");
        assertThat(subscribed.getTagsList()).containsExactly("course:rd1", "student:rd1");
        assertThat(subscribed.getData().toString(StandardCharsets.UTF_8)).isEqualTo("{\"t\":\"StudentSubscribed\"}");
        assertThat(subscribed.getCreatedSeconds()).isPositive();
        assertThat(forwards.getLast().hasEnd()).isTrue();
        assertThat(forwards.getLast().getEnd().getHeadPosition()).isGreaterThanOrEqualTo(last);

        List<ReadResponse> backwards = read(tagged("course:rd1"), io.factum.protocol.dcb.Direction.BACKWARDS);
        assertThat(events(backwards))
                .extracting(RecordedEvent::getType)
                .containsExactly("StudentSubscribed", "CourseDefined");

        // The service answers exactly what the store answers.
        var direct = server.store.readByQuery(Query.tagged("course:rd1"), ReadAllOptions.END, Direction.BACKWARDS, 100);
        assertThat(events(backwards))
                .extracting(RecordedEvent::getPosition)
                .containsExactlyElementsOf(direct.events().stream()
                        .map(io.factum.api.RecordedEvent::position)
                        .toList());
    }

    @Test
    void aConditionThatFailsNamesTheConflictingPositionAndWritesNothing() {
        AppendResponse first = dcb.append(AppendRequest.newBuilder()
                .addAppends(part("cd-user-1", ANY, event("UserRegistered", "username:cd-ada")))
                .build());
        long conflicting = first.getResults(0).getPosition();
        long headBefore = server.store.headPosition();

        AppendRequest taken = AppendRequest.newBuilder()
                .addAppends(part("cd-user-2", NO_STREAM, event("UserRegistered", "username:cd-ada")))
                .setCondition(AppendCondition.newBuilder()
                        .setFailIfEventsMatch(tagged("username:cd-ada"))
                        .setAfterPosition(-1))
                .build();
        StatusRuntimeException error = catchStatus(() -> dcb.append(taken));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(trailer(error, FactumWire.ERROR)).isEqualTo(FactumWire.APPEND_CONDITION_FAILED);
        assertThat(trailer(error, FactumWire.CONFLICTING_POSITION)).isEqualTo(Long.toString(conflicting));
        assertThat(server.store.headPosition()).isEqualTo(headBefore);

        // With the position the decision read at, the same condition holds.
        AppendRequest fresh = AppendRequest.newBuilder()
                .addAppends(part("cd-user-3", NO_STREAM, event("UserRenamed", "username:cd-ada")))
                .setCondition(AppendCondition.newBuilder()
                        .setFailIfEventsMatch(tagged("username:cd-ada"))
                        .setAfterPosition(headBefore))
                .build();
        assertThat(dcb.append(fresh).getResults(0).getWritten()).isTrue();
    }

    @Test
    void streamExpectationsFailInTheKurrentDbTrailerForms() {
        dcb.append(AppendRequest.newBuilder()
                .addAppends(part("wev-1", ANY, event("A")))
                .build());
        StatusRuntimeException error = catchStatus(() -> dcb.append(AppendRequest.newBuilder()
                .addAppends(part("wev-1", NO_STREAM, event("B")))
                .build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(trailer(error, "exception")).isEqualTo("wrong-expected-version");
        assertThat(trailer(error, "stream-name")).isEqualTo("wev-1");
        assertThat(trailer(error, "actual-version")).isEqualTo("0");

        server.store.tombstone("tomb-1", io.factum.api.ExpectedVersion.any());
        StatusRuntimeException deleted = catchStatus(() -> dcb.append(AppendRequest.newBuilder()
                .addAppends(part("tomb-1", ANY, event("A")))
                .build()));
        assertThat(deleted.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(trailer(deleted, "exception")).isEqualTo("stream-deleted");
    }

    @Test
    void badInputIsInvalidArgumentNamingTheFieldAndChangesNothing() {
        long head = server.store.headPosition();
        assertInvalid(
                () -> read(
                        io.factum.protocol.dcb.Query.getDefaultInstance(), io.factum.protocol.dcb.Direction.FORWARDS),
                "query.items");
        assertInvalid(
                () -> read(
                        io.factum.protocol.dcb.Query.newBuilder()
                                .addItems(QueryItem.getDefaultInstance())
                                .build(),
                        io.factum.protocol.dcb.Direction.FORWARDS),
                "query.items[0]");
        assertInvalid(
                () -> dcb.read(ReadRequest.newBuilder().setQuery(tagged("x")).build())
                        .hasNext(),
                "max_count");
        assertInvalid(() -> dcb.append(AppendRequest.getDefaultInstance()), "appends");
        assertInvalid(
                () -> dcb.append(AppendRequest.newBuilder()
                        .addAppends(part(
                                "bad-1",
                                ANY,
                                event("A").toBuilder().setId("nope").build()))
                        .build()),
                "appends[0].events[0].id");
        assertInvalid(
                () -> dcb.append(AppendRequest.newBuilder()
                        .addAppends(part("bad-1", ANY, event("A", "t", "t")))
                        .build()),
                "appends[0].events[0].tags");
        assertInvalid(
                () -> dcb.append(AppendRequest.newBuilder()
                        .addAppends(part("bad-1", ANY, event("A")))
                        .addAppends(part("bad-1", ANY, event("B")))
                        .build()),
                "appends[1].stream");
        assertInvalid(
                () -> dcb.append(AppendRequest.newBuilder()
                        .addAppends(part("bad-1", ANY, event("A")))
                        .setCondition(AppendCondition.newBuilder()
                                .setFailIfEventsMatch(tagged("x"))
                                .setAfterPosition(-2))
                        .build()),
                "condition.after_position");
        assertInvalid(
                () -> dcb.subscribe(SubscribeRequest.newBuilder()
                                .setQuery(tagged("x"))
                                .build())
                        .hasNext(),
                "from");
        assertThat(server.store.headPosition()).isEqualTo(head);
    }

    @Test
    void aSubscriptionCatchesUpThenDeliversLiveMatchesOnly() throws Exception {
        dcb.append(AppendRequest.newBuilder()
                .addAppends(part("sub-1", ANY, event("Opened", "sub:one"), event("Other", "sub:two")))
                .build());
        Context.CancellableContext context = Context.current().withCancellation();
        try {
            Iterator<SubscribeResponse> stream = context.call(() -> DcbGrpc.newBlockingStub(server.channel)
                    .subscribe(SubscribeRequest.newBuilder()
                            .setQuery(tagged("sub:one"))
                            .setStart(Empty.getDefaultInstance())
                            .build()));
            assertThat(stream.next().hasConfirmation()).isTrue();
            SubscribeResponse caughtUpEvent = next(stream);
            assertThat(caughtUpEvent.getEvent().getType()).isEqualTo("Opened");
            assertThat(next(stream).hasCaughtUp()).isTrue();

            dcb.append(AppendRequest.newBuilder()
                    .addAppends(part("sub-2", ANY, event("Ignored", "sub:two"), event("Closed", "sub:one")))
                    .build());
            SubscribeResponse live = next(stream);
            assertThat(live.getEvent().getType()).isEqualTo("Closed");
            assertThat(live.getEvent().getTagsList()).containsExactly("sub:one");
        } finally {
            context.cancel(null);
        }
    }

    /** The next message that is not a checkpoint (checkpoints may come at any time). */
    static SubscribeResponse next(Iterator<SubscribeResponse> stream) {
        SubscribeResponse response = stream.next();
        while (response.hasCheckpoint()) {
            response = stream.next();
        }
        return response;
    }

    static void assertInvalid(Runnable call, String field) {
        StatusRuntimeException error = catchStatus(call);
        assertThat(error.getStatus().getCode()).as(error.toString()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(error.getStatus().getDescription()).contains(field);
    }

    static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }

    static String trailer(StatusRuntimeException error, String name) {
        Metadata trailers = error.getTrailers();
        assertThat(trailers).isNotNull();
        return trailers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
}
