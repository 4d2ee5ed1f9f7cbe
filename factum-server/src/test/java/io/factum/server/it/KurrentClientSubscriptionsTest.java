package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kurrent.dbclient.AppendToStreamOptions;
import io.kurrent.dbclient.DeleteStreamOptions;
import io.kurrent.dbclient.EventData;
import io.kurrent.dbclient.KurrentDBClient;
import io.kurrent.dbclient.KurrentDBConnectionString;
import io.kurrent.dbclient.Position;
import io.kurrent.dbclient.ResolvedEvent;
import io.kurrent.dbclient.StreamState;
import io.kurrent.dbclient.SubscribeToAllOptions;
import io.kurrent.dbclient.SubscribeToStreamOptions;
import io.kurrent.dbclient.Subscription;
import io.kurrent.dbclient.SubscriptionFilter;
import io.kurrent.dbclient.SubscriptionListener;
import io.kurrent.dbclient.WrongExpectedVersionException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official KurrentDB Java client (kurrentdb-client 1.1) subscribing to a real server process. */
class KurrentClientSubscriptionsTest {

    private static final long WAIT_SECONDS = 60;

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

    static EventData json(String type, int n) {
        return EventData.builderAsJson(type, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                .eventId(UUID.randomUUID())
                .build();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Records what a subscription receives. */
    static final class Recorder extends SubscriptionListener {
        final List<ResolvedEvent> events = new CopyOnWriteArrayList<>();
        final CountDownLatch caughtUp = new CountDownLatch(1);
        final CompletableFuture<Throwable> cancelled = new CompletableFuture<>();
        final Duration delayPerEvent;
        volatile CountDownLatch target = new CountDownLatch(0);

        Recorder(Duration delayPerEvent) {
            this.delayPerEvent = delayPerEvent;
        }

        Recorder() {
            this(Duration.ZERO);
        }

        Recorder expecting(int count) {
            target = new CountDownLatch(count);
            return this;
        }

        @Override
        public void onEvent(Subscription subscription, ResolvedEvent event) {
            if (!delayPerEvent.isZero()) {
                try {
                    Thread.sleep(delayPerEvent);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            events.add(event);
            target.countDown();
        }

        @Override
        public void onCaughtUp(Subscription subscription, Instant timestamp, Long streamRevision, Position position) {
            caughtUp.countDown();
        }

        @Override
        public void onCancelled(Subscription subscription, Throwable exception) {
            cancelled.complete(exception);
        }

        void awaitAll() throws InterruptedException {
            assertThat(target.await(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("received %d events, %d missing", events.size(), target.getCount())
                    .isTrue();
        }

        List<Long> revisions() {
            return events.stream().map(e -> e.getOriginalEvent().getRevision()).toList();
        }
    }

    static List<Long> range(long from, long toExclusive) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < toExclusive; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void catchesUpThenGoesLiveWithoutGapOrDuplicateUnderConcurrentAppends() throws Exception {
        String stream = unique("live");
        for (int i = 0; i < 200; i += 20) {
            List<EventData> batch = new ArrayList<>();
            for (int j = i; j < i + 20; j++) {
                batch.add(json("Before", j));
            }
            client.appendToStream(stream, batch.iterator()).get();
        }
        Recorder recorder = new Recorder().expecting(500);
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 200; i < 500; i++) {
                client.appendToStream(stream, json("During", i)).join();
            }
        });
        Subscription subscription = client.subscribeToStream(
                        stream, recorder, SubscribeToStreamOptions.get().fromStart())
                .get();
        writer.join();
        recorder.awaitAll();
        subscription.stop();

        assertThat(recorder.revisions()).containsExactlyElementsOf(range(0, 500));
        assertThat(recorder.caughtUp.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void resumesAfterTheGivenRevision() throws Exception {
        String stream = unique("resume");
        for (int i = 0; i < 10; i++) {
            client.appendToStream(stream, json("E", i)).get();
        }
        Recorder recorder = new Recorder().expecting(5);
        Subscription subscription = client.subscribeToStream(
                        stream, recorder, SubscribeToStreamOptions.get().fromRevision(4))
                .get();
        recorder.awaitAll();
        subscription.stop();
        assertThat(recorder.revisions()).containsExactly(5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void filteredAllSubscriptionDeliversMatchesAndCheckpointsItsPlace() throws Exception {
        String prefix = unique("acct");
        List<Position> checkpoints = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder().expecting(20);
        SubscriptionFilter filter = SubscriptionFilter.newBuilder()
                .addStreamNamePrefix(prefix)
                .withMaxWindow(8)
                .withCheckpointer(
                        (subscription, position) -> {
                            checkpoints.add(position);
                            return CompletableFuture.completedFuture(null);
                        },
                        1)
                .build();
        Subscription subscription = client.subscribeToAll(
                        recorder, SubscribeToAllOptions.get().fromEnd().filter(filter))
                .get();
        for (int i = 0; i < 20; i++) {
            client.appendToStream(prefix + "-" + (i % 3), json("Matched", i)).get();
            for (int noise = 0; noise < 10; noise++) {
                client.appendToStream(unique("noise"), json("Noise", noise)).get();
            }
        }
        recorder.awaitAll();
        subscription.stop();

        assertThat(recorder.events)
                .allSatisfy(e -> assertThat(e.getOriginalEvent().getStreamId()).startsWith(prefix));
        assertThat(recorder.events)
                .extracting(e -> e.getOriginalEvent().getEventType())
                .containsOnly("Matched");
        List<Long> positions = recorder.events.stream()
                .map(e -> e.getOriginalEvent().getPosition().getCommitUnsigned())
                .toList();
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        assertThat(checkpoints).as("200 noise events pass a window of 8").isNotEmpty();
        List<Long> checkpointPositions =
                checkpoints.stream().map(Position::getCommitUnsigned).toList();
        assertThat(checkpointPositions).isSorted();
    }

    @Test
    void resumingFromACheckpointMissesNoMatch() throws Exception {
        String prefix = unique("cp");
        List<Position> checkpoints = new CopyOnWriteArrayList<>();
        SubscriptionFilter filter = SubscriptionFilter.newBuilder()
                .addStreamNamePrefix(prefix)
                .withMaxWindow(4)
                .withCheckpointer(
                        (subscription, position) -> {
                            checkpoints.add(position);
                            return CompletableFuture.completedFuture(null);
                        },
                        1)
                .build();
        Recorder first = new Recorder().expecting(5);
        Subscription subscription = client.subscribeToAll(
                        first, SubscribeToAllOptions.get().fromEnd().filter(filter))
                .get();
        for (int i = 0; i < 5; i++) {
            client.appendToStream(prefix, json("M", i)).get();
            for (int noise = 0; noise < 6; noise++) {
                client.appendToStream(unique("noise"), json("Noise", noise)).get();
            }
        }
        first.awaitAll();
        subscription.stop();
        Position resumeAt = checkpoints.getLast();
        long delivered = first.events.stream()
                .filter(e -> e.getOriginalEvent().getPosition().getCommitUnsigned() > resumeAt.getCommitUnsigned())
                .count();

        for (int i = 5; i < 8; i++) {
            client.appendToStream(prefix, json("M", i)).get();
        }
        Recorder second = new Recorder().expecting((int) delivered + 3);
        Subscription resumed = client.subscribeToAll(
                        second,
                        SubscribeToAllOptions.get().fromPosition(resumeAt).filter(filter))
                .get();
        second.awaitAll();
        resumed.stop();
        assertThat(second.events)
                .extracting(e -> e.getOriginalEvent().getPosition().getCommitUnsigned())
                .allSatisfy(p -> assertThat(p).isGreaterThan(resumeAt.getCommitUnsigned()));
        assertThat(second.revisions()).endsWith(5L, 6L, 7L);
    }

    @Test
    void aSlowSubscriberReceivesEverythingInOrder() throws Exception {
        String stream = unique("slow");
        Recorder slow = new Recorder(Duration.ofMillis(2)).expecting(1500);
        Subscription subscription = client.subscribeToStream(
                        stream, slow, SubscribeToStreamOptions.get().fromStart())
                .get();
        for (int i = 0; i < 1500; i += 50) {
            List<EventData> batch = new ArrayList<>();
            for (int j = i; j < i + 50; j++) {
                batch.add(EventData.builderAsBinary("Big", new byte[2048]).build());
            }
            client.appendToStream(stream, batch.iterator()).get();
        }
        slow.awaitAll();
        subscription.stop();
        assertThat(slow.revisions()).containsExactlyElementsOf(range(0, 1500));
    }

    @Test
    void aTombstonedStreamEndsItsSubscriptionWithStreamDeleted() throws Exception {
        String stream = unique("doomed");
        client.appendToStream(stream, json("A", 0)).get();
        Recorder recorder = new Recorder().expecting(1);
        client.subscribeToStream(
                        stream, recorder, SubscribeToStreamOptions.get().fromStart())
                .get();
        recorder.awaitAll();
        client.tombstoneStream(stream, DeleteStreamOptions.get()).get();

        Throwable reason = recorder.cancelled.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(reason).isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(
                        e.getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void wrongExpectedStateNamesTheActualRevision() throws Exception {
        String stream = unique("state");
        client.appendToStream(stream, json("A", 0)).get();
        assertThatThrownBy(() -> client.appendToStream(
                                stream, AppendToStreamOptions.get().streamState(StreamState.noStream()), json("B", 1))
                        .get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> assertThat(e.getActualState())
                        .isEqualTo(StreamState.streamRevision(0)));
    }
}
