package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eventstore.dbclient.AppendToStreamOptions;
import com.eventstore.dbclient.DeleteStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.ExpectedRevision;
import com.eventstore.dbclient.ReadAllOptions;
import com.eventstore.dbclient.ReadResult;
import com.eventstore.dbclient.ReadStreamOptions;
import com.eventstore.dbclient.RecordedEvent;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.StreamDeletedException;
import com.eventstore.dbclient.StreamMetadata;
import com.eventstore.dbclient.StreamNotFoundException;
import com.eventstore.dbclient.WriteResult;
import com.eventstore.dbclient.WrongExpectedVersionException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official EventStoreDB Java client (db-client-java 5.4) against a real server process. */
class EsdbClientStreamsTest {

    @TempDir
    static Path dir;

    static ServerProcess server;
    static EventStoreDBClient client;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"));
        client = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(server.connectionString("esdb")));
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

    static EventData json(String type, String body) {
        return EventData.builderAsJson(type, body.getBytes(StandardCharsets.UTF_8))
                .eventId(UUID.randomUUID())
                .build();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @Test
    void appendsAndReadsBackInOrder() throws Exception {
        String stream = unique("order");
        Instant before = Instant.now();
        WriteResult first = client.appendToStream(
                        stream,
                        AppendToStreamOptions.get().expectedRevision(ExpectedRevision.noStream()),
                        json("Placed", "{\"n\":1}"),
                        json("Paid", "{\"n\":2}"))
                .get();
        assertThat(first.getNextExpectedRevision()).isEqualTo(ExpectedRevision.expectedRevision(1));

        ReadResult read = client.readStream(
                        stream, ReadStreamOptions.get().fromStart().forwards().maxCount(10))
                .get();
        List<RecordedEvent> events =
                read.getEvents().stream().map(ResolvedEvent::getOriginalEvent).toList();
        assertThat(events).extracting(RecordedEvent::getEventType).containsExactly("Placed", "Paid");
        assertThat(events).extracting(RecordedEvent::getRevision).containsExactly(0L, 1L);
        assertThat(new String(events.get(1).getEventData(), StandardCharsets.UTF_8))
                .isEqualTo("{\"n\":2}");
        assertThat(events.get(0).getContentType()).isEqualTo("application/json");
        assertThat(events.get(0).getCreated())
                .isBetween(before.minusSeconds(5), Instant.now().plusSeconds(5));
        assertThat(events.get(0).getPosition().getCommitUnsigned())
                .isLessThan(events.get(1).getPosition().getCommitUnsigned());
    }

    @Test
    void wrongExpectedVersionCarriesTheActualVersion() throws Exception {
        String stream = unique("wev");
        client.appendToStream(stream, json("A", "{}"), json("B", "{}")).get();

        assertThatThrownBy(() -> client.appendToStream(
                                stream,
                                AppendToStreamOptions.get().expectedRevision(ExpectedRevision.expectedRevision(0)),
                                json("C", "{}"))
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.getStreamName()).isEqualTo(stream);
                    assertThat(e.getActualVersion()).isEqualTo(ExpectedRevision.expectedRevision(1));
                    assertThat(e.getNextExpectedRevision()).isEqualTo(ExpectedRevision.expectedRevision(0));
                });
    }

    @Test
    void retryWithTheSameIdsIsIdempotent() throws Exception {
        String stream = unique("idem");
        EventData event = json("Once", "{}");
        WriteResult first = client.appendToStream(
                        stream, AppendToStreamOptions.get().expectedRevision(ExpectedRevision.noStream()), event)
                .get();
        WriteResult again = client.appendToStream(
                        stream, AppendToStreamOptions.get().expectedRevision(ExpectedRevision.noStream()), event)
                .get();
        assertThat(again.getNextExpectedRevision()).isEqualTo(first.getNextExpectedRevision());
        ReadResult read = client.readStream(
                        stream, ReadStreamOptions.get().fromStart().maxCount(10))
                .get();
        assertThat(read.getEvents()).hasSize(1);
    }

    @Test
    void readingAMissingStreamIsStreamNotFound() {
        assertThatThrownBy(() -> client.readStream(
                                unique("missing"), ReadStreamOptions.get().fromStart())
                        .get())
                .cause()
                .isInstanceOf(StreamNotFoundException.class);
    }

    @Test
    void readsBackwardsAndFromTheEndOfAll() throws Exception {
        String stream = unique("back");
        client.appendToStream(stream, json("A", "{}"), json("B", "{}"), json("C", "{}"))
                .get();
        ReadResult backwards = client.readStream(
                        stream, ReadStreamOptions.get().fromEnd().backwards().maxCount(2))
                .get();
        assertThat(backwards.getEvents())
                .extracting(e -> e.getOriginalEvent().getEventType())
                .containsExactly("C", "B");

        ReadResult all = client.readAll(
                        ReadAllOptions.get().fromEnd().backwards().maxCount(1))
                .get();
        assertThat(all.getEvents()).hasSize(1);
    }

    @Test
    void tombstonedStreamsRefuseReadsAndWrites() throws Exception {
        String stream = unique("gone");
        client.appendToStream(stream, json("A", "{}")).get();
        client.tombstoneStream(stream, DeleteStreamOptions.get()).get();

        assertThatThrownBy(() -> client.appendToStream(stream, json("B", "{}")).get())
                .cause()
                .isInstanceOf(StreamDeletedException.class);
        // db-client-java maps stream-deleted to its exception for appends only; for reads it passes
        // the gRPC status on, as it does against KurrentDB.
        assertThatThrownBy(
                        () -> client.readStream(stream, ReadStreamOptions.get()).get())
                .cause()
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getTrailers().get(Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER)))
                            .isEqualTo("stream-deleted");
                });
    }

    @Test
    void softDeleteHidesTheStreamAndAppendsContinueTheNumbering() throws Exception {
        String stream = unique("soft");
        client.appendToStream(stream, json("A", "{}"), json("B", "{}")).get();
        client.deleteStream(stream, DeleteStreamOptions.get()).get();
        assertThatThrownBy(
                        () -> client.readStream(stream, ReadStreamOptions.get()).get())
                .cause()
                .isInstanceOf(StreamNotFoundException.class);

        WriteResult next = client.appendToStream(stream, json("C", "{}")).get();
        assertThat(next.getNextExpectedRevision()).isEqualTo(ExpectedRevision.expectedRevision(2));
    }

    @Test
    void metadataIsReadBackAsLastWritten() throws Exception {
        String stream = unique("meta");
        client.appendToStream(stream, json("A", "{}")).get();
        StreamMetadata first = new StreamMetadata();
        first.setMaxCount(5L);
        client.setStreamMetadata(stream, first).get();
        StreamMetadata second = new StreamMetadata();
        second.setMaxCount(7L);
        second.setMaxAge(3600L);
        client.setStreamMetadata(stream, second).get();

        StreamMetadata read = client.getStreamMetadata(stream).get();
        assertThat(read.getMaxCount()).isEqualTo(7L);
        assertThat(read.getMaxAge()).isEqualTo(3600L);
    }

    @Test
    void maxCountHidesOlderEventsFromReads() throws Exception {
        String stream = unique("capped");
        for (int i = 0; i < 5; i++) {
            client.appendToStream(stream, json("E" + i, "{}")).get();
        }
        StreamMetadata metadata = new StreamMetadata();
        metadata.setMaxCount(2L);
        client.setStreamMetadata(stream, metadata).get();
        ReadResult read = client.readStream(
                        stream, ReadStreamOptions.get().fromStart().maxCount(10))
                .get();
        assertThat(read.getEvents())
                .extracting(e -> e.getOriginalEvent().getEventType())
                .containsExactly("E3", "E4");
    }

    /** maxAge is in seconds; the events written before the metadata age past it while we wait. */
    @Test
    void maxAgeHidesEventsOlderThanIt() throws Exception {
        String stream = unique("aged");
        client.appendToStream(stream, json("Old", "{}")).get();
        StreamMetadata metadata = new StreamMetadata();
        metadata.setMaxAge(1L);
        client.setStreamMetadata(stream, metadata).get();
        Thread.sleep(2_100);
        client.appendToStream(stream, json("Fresh", "{}")).get();

        ReadResult read = client.readStream(
                        stream, ReadStreamOptions.get().fromStart().maxCount(10))
                .get();
        assertThat(read.getEvents())
                .extracting(e -> e.getOriginalEvent().getEventType())
                .containsExactly("Fresh");
        assertThat(read.getEvents().getFirst().getOriginalEvent().getRevision()).isEqualTo(1L);
    }

    @Test
    void truncateBeforeHidesEarlierEvents() throws Exception {
        String stream = unique("truncated");
        for (int i = 0; i < 4; i++) {
            client.appendToStream(stream, json("E" + i, "{}")).get();
        }
        StreamMetadata metadata = new StreamMetadata();
        metadata.setTruncateBefore(3L);
        client.setStreamMetadata(stream, metadata).get();
        ReadResult read = client.readStream(
                        stream, ReadStreamOptions.get().fromStart().maxCount(10))
                .get();
        assertThat(read.getEvents())
                .extracting(e -> e.getOriginalEvent().getEventType())
                .containsExactly("E3");
    }

    /** A discover connection string makes the client ask Gossip for the leader and connect to it. */
    @Test
    void clusterDiscoveryThroughGossipFindsTheSingleNodeAsLeader() throws Exception {
        String seeds = "esdb+discover://localhost:" + server.port() + "?tls=false";
        EventStoreDBClient discovered = EventStoreDBClient.create(EventStoreDBConnectionString.parseOrThrow(seeds));
        try {
            String stream = unique("gossip");
            discovered.appendToStream(stream, json("Found", "{}")).get();
            ReadResult read =
                    discovered.readStream(stream, ReadStreamOptions.get()).get();
            assertThat(read.getEvents()).hasSize(1);
        } finally {
            discovered.shutdown().get();
        }
    }
}
