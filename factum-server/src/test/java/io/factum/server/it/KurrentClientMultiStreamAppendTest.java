package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kurrent.dbclient.AppendStreamRequest;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.EventDataBuilder;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.MultiStreamAppendResponse;
import io.kurrent.dbclient.ReadAllOptions;
import io.kurrent.dbclient.ReadResult;
import io.kurrent.dbclient.ReadStreamOptions;
import io.kurrent.dbclient.RecordSizeExceededException;
import io.kurrent.dbclient.RecordedEvent;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamNotFoundException;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.StreamTombstonedException;
import io.kurrent.dbclient.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official KurrentDB Java client's multi-stream append (kurrentdb-client 1.1, the v2
 * {@code AppendSession} protocol) against a real server process: the client enables it only
 * because the server advertises {@code appendsession}, and every failure arrives as the typed
 * exception the client builds from the v2 error details.
 */
class KurrentClientMultiStreamAppendTest {

    @TempDir
    static Path dir;

    static ServerProcess server;
    static KurrentDBClient client;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"));
        client = KurrentDBClient.create(KurrentDBConnectionString.parseOrThrow(server.connectionString("kurrentdb")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.shutdown().get();
        }
        if (server != null) {
            server.close();
        }
    }

    static EventData json(String type, String body, String metadata) {
        EventDataBuilder builder =
                EventDataBuilder.json(UUID.randomUUID(), type, body.getBytes(StandardCharsets.UTF_8));
        if (metadata != null) {
            builder.metadataAsBytes(metadata.getBytes(StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    static AppendStreamRequest part(String stream, StreamState expected, EventData... events) {
        return new AppendStreamRequest(stream, List.of(events).iterator(), expected);
    }

    static MultiStreamAppendResponse multi(AppendStreamRequest... parts) throws Exception {
        Iterator<AppendStreamRequest> requests = List.of(parts).iterator();
        return client.multiStreamAppend(requests).get();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static List<RecordedEvent> read(String stream) throws Exception {
        ReadResult result = client.readStream(
                        stream, ReadStreamOptions.get().forwards().fromStart())
                .get();
        return result.getEvents().stream().map(ResolvedEvent::getOriginalEvent).toList();
    }

    static long head() throws Exception {
        ReadResult last = client.readAll(
                        ReadAllOptions.get().backwards().fromEnd().maxCount(1))
                .get();
        return last.getEvents().getFirst().getOriginalEvent().getPosition().getCommitUnsigned();
    }

    static void assertNotFound(String stream) {
        assertThatThrownBy(() -> read(stream)).hasCauseInstanceOf(StreamNotFoundException.class);
    }

    @Test
    void writesEveryStreamInOneTransactionInTheOrderGiven() throws Exception {
        String orders = unique("order");
        String stock = unique("stock");
        client.appendToStream(stock, json("Counted", "{\"n\":10}", null)).get();

        MultiStreamAppendResponse response = multi(
                part(orders, StreamState.noStream(), json("Placed", "{\"n\":1}", "{\"tenant\":\"acme\"}")),
                part(
                        stock,
                        StreamState.streamRevision(0),
                        json("Reserved", "{\"n\":1}", null),
                        json("Reserved", "{\"n\":2}", null)));

        assertThat(response.getResults()).hasSize(2);
        assertThat(response.getResults().get(0).getStream()).isEqualTo(orders);
        assertThat(response.getResults().get(0).getStreamRevision()).isEqualTo(0);
        assertThat(response.getResults().get(1).getStream()).isEqualTo(stock);
        assertThat(response.getResults().get(1).getStreamRevision()).isEqualTo(2);
        RecordedEvent placed = read(orders).getFirst();
        List<RecordedEvent> reserved = read(stock).subList(1, 3);
        long first = placed.getPosition().getCommitUnsigned();
        assertThat(reserved.get(0).getPosition().getCommitUnsigned()).isEqualTo(first + 1);
        assertThat(reserved.get(1).getPosition().getCommitUnsigned()).isEqualTo(first + 2);
        assertThat(response.getPosition()).isEqualTo(first + 2);
        assertThat(new String(placed.getUserMetadata(), StandardCharsets.UTF_8)).isEqualTo("{\"tenant\":\"acme\"}");
        assertThat(placed.getContentType()).isEqualTo("application/json");
        assertThat(placed.getEventType()).isEqualTo("Placed");
    }

    @Test
    void aFailingExpectationOnOneStreamWritesNothingAnywhere() throws Exception {
        String a = unique("a");
        String b = unique("b");
        String c = unique("c");
        client.appendToStream(b, json("Existing", "{}", null)).get();
        long headBefore = head();

        assertThatThrownBy(() -> multi(
                        part(a, StreamState.noStream(), json("A", "{}", null)),
                        part(b, StreamState.noStream(), json("B", "{}", null)),
                        part(c, StreamState.any(), json("C", "{}", null))))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.getStreamName()).isEqualTo(b);
                    assertThat(e.getExpectedState()).isEqualTo(StreamState.noStream());
                    assertThat(e.getActualState()).isEqualTo(StreamState.streamRevision(0));
                });

        assertThat(head()).isEqualTo(headBefore);
        assertNotFound(a);
        assertNotFound(c);
        assertThat(read(b)).hasSize(1);
    }

    @Test
    void aTombstonedStreamFailsTheWholeSession() throws Exception {
        String gone = unique("gone");
        String other = unique("other");
        client.appendToStream(gone, json("E", "{}", null)).get();
        client.tombstoneStream(gone).get();

        assertThatThrownBy(() -> multi(
                        part(other, StreamState.any(), json("O", "{}", null)),
                        part(gone, StreamState.any(), json("G", "{}", null))))
                .cause()
                .isInstanceOfSatisfying(StreamTombstonedException.class, e -> assertThat(e.getStreamName())
                        .isEqualTo(gone));
        assertNotFound(other);
    }

    @Test
    void aRecordOverTheEventLimitIsRefusedWithItsSize() throws Exception {
        String stream = unique("big");
        int limit = 4 << 20; // the server's default maxEventBytes
        EventData big = EventDataBuilder.binary(UUID.randomUUID(), "Big", new byte[limit + 1])
                .build();

        assertThatThrownBy(() -> multi(part(stream, StreamState.any(), big)))
                .cause()
                .isInstanceOfSatisfying(RecordSizeExceededException.class, e -> {
                    assertThat(e.getStream()).isEqualTo(stream);
                    assertThat(e.getSize()).isEqualTo(limit + 1);
                    assertThat(e.getMaxSize()).isEqualTo(limit);
                });
        assertNotFound(stream);
    }
}
