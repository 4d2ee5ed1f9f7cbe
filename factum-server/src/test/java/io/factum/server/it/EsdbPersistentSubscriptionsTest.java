package io.factum.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.eventstore.dbclient.CreatePersistentSubscriptionToAllOptions;
import com.eventstore.dbclient.CreatePersistentSubscriptionToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBClientSettings;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.EventStoreDBPersistentSubscriptionsClient;
import com.eventstore.dbclient.NackAction;
import com.eventstore.dbclient.NamedConsumerStrategy;
import com.eventstore.dbclient.PersistentSubscription;
import com.eventstore.dbclient.PersistentSubscriptionInfo;
import com.eventstore.dbclient.PersistentSubscriptionListener;
import com.eventstore.dbclient.PersistentSubscriptionToAllInfo;
import com.eventstore.dbclient.PersistentSubscriptionToStreamInfo;
import com.eventstore.dbclient.ReplayParkedMessagesOptions;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.SubscribePersistentSubscriptionOptions;
import com.eventstore.dbclient.SubscriptionFilter;
import com.eventstore.dbclient.UpdatePersistentSubscriptionToStreamOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistent subscriptions through the official EventStoreDB Java client (db-client-java 5.4) against a real server. */
class EsdbPersistentSubscriptionsTest {

    static final Metadata.Key<String> EXCEPTION = Metadata.Key.of("exception", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;

    static ServerProcess server;
    static EventStoreDBClient client;
    static EventStoreDBPersistentSubscriptionsClient ps;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("data"));
        EventStoreDBClientSettings settings =
                EventStoreDBConnectionString.parseOrThrow(server.connectionString("esdb"));
        client = EventStoreDBClient.create(settings);
        ps = EventStoreDBPersistentSubscriptionsClient.create(settings);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ps != null) {
            ps.shutdown().get();
        }
        if (client != null) {
            client.shutdown().get();
        }
        if (server != null) {
            server.close();
        }
    }

    record Delivery(int retryCount, ResolvedEvent event) {
        String type() {
            return event.getOriginalEvent().getEventType();
        }

        long revision() {
            return event.getOriginalEvent().getRevision();
        }
    }

    /** Records what a subscription receives. */
    static final class Recorder extends PersistentSubscriptionListener {
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        final CompletableFuture<Optional<Throwable>> cancelled = new CompletableFuture<>();

        @Override
        public void onEvent(PersistentSubscription subscription, int retryCount, ResolvedEvent event) {
            deliveries.add(new Delivery(retryCount, event));
        }

        @Override
        public void onCancelled(PersistentSubscription subscription, Throwable exception) {
            cancelled.complete(Optional.ofNullable(exception));
        }

        Delivery next() throws InterruptedException {
            Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);
            assertThat(delivery).as("a delivery within 10 s").isNotNull();
            return delivery;
        }

        List<Delivery> next(int n) throws InterruptedException {
            List<Delivery> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }

        void expectNothingFor(Duration duration) throws InterruptedException {
            assertThat(deliveries.poll(duration.toMillis(), TimeUnit.MILLISECONDS))
                    .isNull();
        }
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    static void append(String stream, String... types) throws Exception {
        List<EventData> events = new ArrayList<>();
        for (String type : types) {
            events.add(EventData.builderAsJson(type, "{}".getBytes(StandardCharsets.UTF_8))
                    .eventId(UUID.randomUUID())
                    .build());
        }
        client.appendToStream(stream, events.iterator()).get();
    }

    static CreatePersistentSubscriptionToStreamOptions fromStart() {
        return CreatePersistentSubscriptionToStreamOptions.get().fromStart();
    }

    static PersistentSubscription subscribe(String stream, String group, int buffer, Recorder recorder)
            throws Exception {
        return ps.subscribeToStream(
                        stream,
                        group,
                        SubscribePersistentSubscriptionOptions.get().bufferSize(buffer),
                        recorder)
                .get(10, TimeUnit.SECONDS);
    }

    static StatusRuntimeException statusOf(Throwable thrown) {
        Throwable t = thrown;
        while (t != null && !(t instanceof StatusRuntimeException)) {
            t = t.getCause();
        }
        assertThat(t).as("a StatusRuntimeException in " + thrown).isNotNull();
        return (StatusRuntimeException) t;
    }

    static PersistentSubscriptionToStreamInfo info(String stream, String group) throws Exception {
        return ps.getInfoToStream(stream, group).get().orElseThrow();
    }

    static void eventually(String what, ThrowingCondition condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    interface ThrowingCondition {
        boolean holds() throws Exception;
    }

    @Test
    void createsReportsUpdatesListsAndDeletesAStreamGroup() throws Exception {
        String stream = unique("orders");
        ps.createToStream(
                        stream,
                        "billing",
                        fromStart()
                                .maxRetryCount(5)
                                .messageTimeoutInMs(12_345)
                                .checkpointAfterInMs(3_456)
                                .checkpointLowerBound(3)
                                .checkpointUpperBound(30)
                                .liveBufferSize(77)
                                .historyBufferSize(88)
                                .readBatchSize(9)
                                .maxSubscriberCount(4)
                                .enableExtraStatistics()
                                .resolveLinkTos()
                                .namedConsumerStrategy(NamedConsumerStrategy.PINNED))
                .get();
        PersistentSubscriptionToStreamInfo info = info(stream, "billing");
        assertThat(info.getEventSource()).isEqualTo(stream);
        assertThat(info.getGroupName()).isEqualTo("billing");
        assertThat(info.getSettings().getStartFrom().isStart()).isTrue();
        assertThat(info.getSettings().getMaxRetryCount()).isEqualTo(5);
        assertThat(info.getSettings().getMessageTimeoutMs()).isEqualTo(12_345);
        assertThat(info.getSettings().getCheckpointAfterInMs()).isEqualTo(3_456);
        assertThat(info.getSettings().getCheckpointLowerBound()).isEqualTo(3);
        assertThat(info.getSettings().getCheckpointUpperBound()).isEqualTo(30);
        assertThat(info.getSettings().getLiveBufferSize()).isEqualTo(77);
        assertThat(info.getSettings().getHistoryBufferSize()).isEqualTo(88);
        assertThat(info.getSettings().getReadBatchSize()).isEqualTo(9);
        assertThat(info.getSettings().getMaxSubscriberCount()).isEqualTo(4);
        assertThat(info.getSettings().isExtraStatistics()).isTrue();
        assertThat(info.getSettings().isResolveLinkTos()).isTrue();
        assertThat(info.getSettings().getNamedConsumerStrategy().isPinned()).isTrue();
        assertThat(info.getStats().getLastCheckpointedEventRevision()).isEmpty();

        ps.updateToStream(
                        stream,
                        "billing",
                        UpdatePersistentSubscriptionToStreamOptions.get()
                                .startFrom(7)
                                .maxRetryCount(2)
                                .namedConsumerStrategy(NamedConsumerStrategy.ROUND_ROBIN))
                .get();
        PersistentSubscriptionToStreamInfo updated = info(stream, "billing");
        assertThat(updated.getSettings().getStartFrom().getPositionOrThrow()).isEqualTo(7L);
        assertThat(updated.getSettings().getMaxRetryCount()).isEqualTo(2);
        assertThat(updated.getSettings().getNamedConsumerStrategy().isRoundRobin())
                .isTrue();

        assertThat(ps.listToStream(stream).get())
                .extracting(PersistentSubscriptionInfo::getGroupName)
                .containsExactly("billing");
        assertThat(ps.listAll().get())
                .extracting(PersistentSubscriptionInfo::getGroupName)
                .contains("billing");

        ps.deleteToStream(stream, "billing").get();
        assertThat(ps.getInfoToStream(stream, "billing").get()).isEmpty();
        StatusRuntimeException missing = statusOf(
                catchThrowable(() -> ps.deleteToStream(stream, "billing").get()));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(missing.getTrailers().get(EXCEPTION)).isEqualTo("persistent-subscription-does-not-exist");
        StatusRuntimeException noneLeft =
                statusOf(catchThrowable(() -> ps.listToStream(stream).get()));
        assertThat(noneLeft.getTrailers().get(EXCEPTION)).isEqualTo("persistent-subscription-does-not-exist");
    }

    static Throwable catchThrowable(ThrowingRunnable runnable) {
        try {
            runnable.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void createsAFilteredAllGroupAndDeliversOnlyMatchingEvents() throws Exception {
        String prefix = unique("inv");
        String group = unique("all");
        ps.createToAll(
                        group,
                        CreatePersistentSubscriptionToAllOptions.get()
                                .fromStart()
                                .filter(SubscriptionFilter.newBuilder()
                                        .addStreamNamePrefix(prefix)
                                        .build()))
                .get();
        PersistentSubscriptionToAllInfo info = ps.getInfoToAll(group).get().orElseThrow();
        assertThat(info.getEventSource()).isEqualTo("$all");
        assertThat(info.getSettings().getStartFrom().isStart()).isTrue();
        assertThat(ps.listToAll().get())
                .extracting(PersistentSubscriptionInfo::getGroupName)
                .contains(group);

        append(prefix + "-1", "Issued");
        append(unique("other"), "Noise");
        append(prefix + "-2", "Paid");
        var recorder = new Recorder();
        PersistentSubscription sub = ps.subscribeToAll(group, SubscribePersistentSubscriptionOptions.get(), recorder)
                .get(10, TimeUnit.SECONDS);
        List<Delivery> got = recorder.next(2);
        assertThat(got).extracting(Delivery::type).containsExactly("Issued", "Paid");
        assertThat(got.get(1).event().getPosition()).isNotNull();
        sub.ack(got.get(0).event(), got.get(1).event());
        recorder.expectNothingFor(Duration.ofMillis(300));
        sub.stop();

        ps.deleteToAll(group).get();
        assertThat(ps.getInfoToAll(group).get()).isEmpty();
    }

    @Test
    void refusesADuplicateGroupAndSubscribingToAMissingOne() throws Exception {
        String stream = unique("dup");
        ps.createToStream(stream, "g", fromStart()).get();
        StatusRuntimeException exists = statusOf(
                catchThrowable(() -> ps.createToStream(stream, "g", fromStart()).get()));
        assertThat(exists.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThat(exists.getTrailers().get(EXCEPTION)).isEqualTo("persistent-subscription-exists");

        StatusRuntimeException missing = statusOf(catchThrowable(() -> subscribe(stream, "nope", 10, new Recorder())));
        assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(missing.getTrailers().get(EXCEPTION)).isEqualTo("persistent-subscription-does-not-exist");
        assertThat(ps.getInfoToStream(stream, "nope").get()).isEmpty();

        StatusRuntimeException bad = statusOf(catchThrowable(() ->
                ps.createToStream(stream, "bad", fromStart().liveBufferSize(0)).get()));
        assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(bad.getStatus().getDescription()).contains("liveBufferSize");
        assertThat(ps.getInfoToStream(stream, "bad").get()).isEmpty();
    }

    @Test
    void roundRobinSharesTheWorkAndAcknowledgedEventsAreNotRedelivered() throws Exception {
        String stream = unique("rr");
        ps.createToStream(stream, "workers", fromStart().namedConsumerStrategy(NamedConsumerStrategy.ROUND_ROBIN))
                .get();
        var a = new Recorder();
        var b = new Recorder();
        PersistentSubscription subA = subscribe(stream, "workers", 10, a);
        PersistentSubscription subB = subscribe(stream, "workers", 10, b);
        append(stream, "e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7");
        List<Delivery> gotA = a.next(4);
        List<Delivery> gotB = b.next(4);
        Set<Long> revisions = new HashSet<>();
        gotA.forEach(d -> revisions.add(d.revision()));
        gotB.forEach(d -> revisions.add(d.revision()));
        assertThat(revisions).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        gotA.forEach(d -> subA.ack(d.event()));
        gotB.forEach(d -> subB.ack(d.event()));
        eventually("nothing in flight", () -> info(stream, "workers").getStats().getTotalInFlightMessages() == 0);
        PersistentSubscriptionToStreamInfo info = info(stream, "workers");
        assertThat(info.getConnections()).hasSize(2);
        assertThat(info.getStats().getTotalItems()).isEqualTo(8);
        a.expectNothingFor(Duration.ofMillis(200));
        b.expectNothingFor(Duration.ofMillis(200));
        subA.stop();
        subB.stop();
    }

    @Test
    void dispatchToSingleSendsEverythingToTheFirstConsumerWithRoom() throws Exception {
        String stream = unique("single");
        ps.createToStream(stream, "g", fromStart().namedConsumerStrategy(NamedConsumerStrategy.DISPATCH_TO_SINGLE))
                .get();
        var a = new Recorder();
        var b = new Recorder();
        PersistentSubscription subA = subscribe(stream, "g", 10, a);
        PersistentSubscription subB = subscribe(stream, "g", 10, b);
        append(stream, "e0", "e1", "e2", "e3");
        assertThat(a.next(4)).extracting(Delivery::type).containsExactly("e0", "e1", "e2", "e3");
        b.expectNothingFor(Duration.ofMillis(300));
        subA.stop();
        subB.stop();
    }

    @Test
    void pinnedKeepsEachStreamOnOneConsumer() throws Exception {
        String prefix = unique("pin");
        String group = unique("pinned");
        ps.createToAll(
                        group,
                        CreatePersistentSubscriptionToAllOptions.get()
                                .fromStart()
                                .namedConsumerStrategy(NamedConsumerStrategy.PINNED)
                                .filter(SubscriptionFilter.newBuilder()
                                        .addStreamNamePrefix(prefix)
                                        .build()))
                .get();
        var a = new Recorder();
        var b = new Recorder();
        PersistentSubscription subA = ps.subscribeToAll(group, SubscribePersistentSubscriptionOptions.get(), a)
                .get(10, TimeUnit.SECONDS);
        PersistentSubscription subB = ps.subscribeToAll(group, SubscribePersistentSubscriptionOptions.get(), b)
                .get(10, TimeUnit.SECONDS);
        for (int round = 0; round < 3; round++) {
            for (int s = 0; s < 6; s++) {
                append(prefix + "-" + s, "t" + round);
            }
        }
        Map<String, String> owner = new HashMap<>();
        int total = 0;
        while (total < 18) {
            for (var entry : Map.of("a", a, "b", b).entrySet()) {
                Delivery d = entry.getValue().deliveries.poll(20, TimeUnit.MILLISECONDS);
                if (d != null) {
                    total++;
                    String previous =
                            owner.putIfAbsent(d.event().getOriginalEvent().getStreamId(), entry.getKey());
                    assertThat(previous == null || previous.equals(entry.getKey()))
                            .as("stream " + d.event().getOriginalEvent().getStreamId() + " stays on one consumer")
                            .isTrue();
                    (entry.getKey().equals("a") ? subA : subB).ack(d.event());
                }
            }
        }
        assertThat(owner).hasSize(6);
        assertThat(new HashSet<>(owner.values())).containsExactlyInAnyOrder("a", "b");
        subA.stop();
        subB.stop();
        ps.deleteToAll(group).get();
    }

    @Test
    void nackRetryRaisesTheRetryCountAndTheMaximumParks() throws Exception {
        String stream = unique("retry");
        ps.createToStream(stream, "g", fromStart().maxRetryCount(2)).get();
        var recorder = new Recorder();
        PersistentSubscription sub = subscribe(stream, "g", 10, recorder);
        append(stream, "e0");
        for (int expected = 0; expected <= 2; expected++) {
            Delivery d = recorder.next();
            assertThat(d.retryCount()).isEqualTo(expected);
            sub.nack(NackAction.Retry, "try again", d.event());
        }
        recorder.expectNothingFor(Duration.ofMillis(300));
        eventually("one parked event", () -> info(stream, "g").getStats().getParkedMessageCount() == 1);

        ps.replayParkedMessagesToStream(stream, "g").get();
        Delivery replayed = recorder.next();
        assertThat(replayed.type()).isEqualTo("e0");
        assertThat(replayed.retryCount()).isZero();
        sub.ack(replayed.event());
        eventually(
                "the parked stream emptied", () -> info(stream, "g").getStats().getParkedMessageCount() == 0);
        sub.stop();
    }

    @Test
    void nackParkThenReplayParkedDeliversTheParkedEventsAgain() throws Exception {
        String stream = unique("park");
        ps.createToStream(stream, "g", fromStart()).get();
        var recorder = new Recorder();
        PersistentSubscription sub = subscribe(stream, "g", 10, recorder);
        append(stream, "e0", "e1", "e2");
        List<Delivery> got = recorder.next(3);
        sub.nack(NackAction.Park, "poison", got.get(0).event(), got.get(1).event());
        sub.ack(got.get(2).event());
        eventually("two parked events", () -> info(stream, "g").getStats().getParkedMessageCount() == 2);
        recorder.expectNothingFor(Duration.ofMillis(200));

        ps.replayParkedMessagesToStream(
                        stream, "g", ReplayParkedMessagesOptions.get().stopAt(1))
                .get();
        Delivery first = recorder.next();
        assertThat(first.type()).isEqualTo("e0");
        recorder.expectNothingFor(Duration.ofMillis(300));
        sub.ack(first.event());
        ps.replayParkedMessagesToStream(stream, "g").get();
        Delivery second = recorder.next();
        assertThat(second.type()).isEqualTo("e1");
        sub.ack(second.event());
        eventually(
                "the parked stream emptied", () -> info(stream, "g").getStats().getParkedMessageCount() == 0);
        sub.stop();
    }

    @Test
    void skipIsProcessedAndTheCheckpointAdvances() throws Exception {
        String stream = unique("skip");
        ps.createToStream(stream, "g", fromStart().checkpointLowerBound(1).checkpointAfterInMs(100))
                .get();
        var recorder = new Recorder();
        PersistentSubscription sub = subscribe(stream, "g", 10, recorder);
        append(stream, "e0", "e1");
        List<Delivery> got = recorder.next(2);
        sub.nack(NackAction.Skip, "not interested", got.get(0).event());
        sub.ack(got.get(1).event());
        recorder.expectNothingFor(Duration.ofMillis(200));
        eventually("a checkpoint at 1", () -> info(stream, "g")
                .getStats()
                .getLastCheckpointedEventRevision()
                .equals(Optional.of(1L)));
        sub.stop();
    }

    @Test
    void nackStopEndsTheSubscriptionAndTheEventGoesToAnotherConsumer() throws Exception {
        String stream = unique("stop");
        ps.createToStream(stream, "g", fromStart().namedConsumerStrategy(NamedConsumerStrategy.DISPATCH_TO_SINGLE))
                .get();
        var a = new Recorder();
        var b = new Recorder();
        PersistentSubscription subA = subscribe(stream, "g", 10, a);
        PersistentSubscription subB = subscribe(stream, "g", 10, b);
        append(stream, "e0");
        Delivery d = a.next();
        subA.nack(NackAction.Stop, "stopping", d.event());
        Optional<Throwable> why = a.cancelled.get(10, TimeUnit.SECONDS);
        assertThat(statusOf(why.orElseThrow()).getTrailers().get(EXCEPTION))
                .isEqualTo("persistent-subscription-dropped");
        Delivery again = b.next();
        assertThat(again.type()).isEqualTo("e0");
        assertThat(again.retryCount()).isEqualTo(1);
        subB.stop();
    }

    @Test
    void anUnacknowledgedEventTimesOutAndComesBack() throws Exception {
        String stream = unique("timeout");
        ps.createToStream(stream, "g", fromStart().messageTimeoutInMs(300)).get();
        var recorder = new Recorder();
        PersistentSubscription sub = subscribe(stream, "g", 10, recorder);
        append(stream, "e0");
        Delivery first = recorder.next();
        Delivery second = recorder.next();
        assertThat(second.event().getOriginalEvent().getEventId())
                .isEqualTo(first.event().getOriginalEvent().getEventId());
        assertThat(second.retryCount()).isEqualTo(1);
        sub.ack(second.event());
        sub.stop();
    }

    @Test
    void maximumSubscribersIsReported() throws Exception {
        String stream = unique("max");
        ps.createToStream(stream, "g", fromStart().maxSubscriberCount(1)).get();
        PersistentSubscription first = subscribe(stream, "g", 10, new Recorder());
        StatusRuntimeException full = statusOf(catchThrowable(() -> subscribe(stream, "g", 10, new Recorder())));
        assertThat(full.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(full.getTrailers().get(EXCEPTION)).isEqualTo("maximum-subscribers-reached");
        first.stop();
    }

    @Test
    void deletingAGroupDropsItsConsumersWithPersistentSubscriptionDropped() throws Exception {
        String stream = unique("del");
        ps.createToStream(stream, "g", fromStart()).get();
        var recorder = new Recorder();
        subscribe(stream, "g", 10, recorder);
        ps.deleteToStream(stream, "g").get();
        Optional<Throwable> why = recorder.cancelled.get(10, TimeUnit.SECONDS);
        StatusRuntimeException status = statusOf(why.orElseThrow());
        assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(status.getTrailers().get(EXCEPTION)).isEqualTo("persistent-subscription-dropped");
    }

    @Test
    void restartSubsystemDropsConsumersAndKeepsTheGroups() throws Exception {
        String stream = unique("restart");
        ps.createToStream(stream, "g", fromStart()).get();
        var recorder = new Recorder();
        subscribe(stream, "g", 10, recorder);
        ps.restartSubsystem().get();
        assertThat(statusOf(recorder.cancelled.get(10, TimeUnit.SECONDS).orElseThrow())
                        .getTrailers()
                        .get(EXCEPTION))
                .isEqualTo("persistent-subscription-dropped");
        assertThat(ps.getInfoToStream(stream, "g").get()).isPresent();
        var again = new Recorder();
        PersistentSubscription sub = subscribe(stream, "g", 10, again);
        append(stream, "after");
        assertThat(again.next().type()).isEqualTo("after");
        sub.stop();
    }

    @Test
    void groupsCheckpointsAndParkedEventsSurviveAServerRestart(@TempDir Path own) throws Exception {
        ServerProcess first = ServerProcess.start(own.resolve("data"));
        String stream = unique("durable");
        try {
            var settings = EventStoreDBConnectionString.parseOrThrow(first.connectionString("esdb"));
            var writer = EventStoreDBClient.create(settings);
            var subs = EventStoreDBPersistentSubscriptionsClient.create(settings);
            subs.createToStream(stream, "g", fromStart().checkpointLowerBound(1).checkpointAfterInMs(100))
                    .get();
            List<EventData> events = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                events.add(EventData.builderAsJson("e" + i, "{}".getBytes(StandardCharsets.UTF_8))
                        .build());
            }
            writer.appendToStream(stream, events.iterator()).get();
            var recorder = new Recorder();
            PersistentSubscription sub = subs.subscribeToStream(
                            stream, "g", SubscribePersistentSubscriptionOptions.get(), recorder)
                    .get(10, TimeUnit.SECONDS);
            List<Delivery> got = recorder.next(6);
            for (int i = 0; i < 4; i++) {
                sub.ack(got.get(i).event());
            }
            sub.nack(NackAction.Park, "later", got.get(4).event()); // e5 stays unacknowledged
            eventually("a checkpoint at 4", () -> subs.getInfoToStream(stream, "g")
                    .get()
                    .orElseThrow()
                    .getStats()
                    .getLastCheckpointedEventRevision()
                    .equals(Optional.of(4L)));
            subs.shutdown().get();
            writer.shutdown().get();
        } finally {
            first.close();
        }

        ServerProcess second = ServerProcess.start(own.resolve("data"));
        try {
            var settings = EventStoreDBConnectionString.parseOrThrow(second.connectionString("esdb"));
            var subs = EventStoreDBPersistentSubscriptionsClient.create(settings);
            assertThat(subs.listToStream(stream).get())
                    .extracting(PersistentSubscriptionInfo::getGroupName)
                    .containsExactly("g");
            PersistentSubscriptionToStreamInfo info =
                    subs.getInfoToStream(stream, "g").get().orElseThrow();
            assertThat(info.getStats().getLastCheckpointedEventRevision()).contains(4L);
            assertThat(info.getStats().getParkedMessageCount()).isEqualTo(1);
            assertThat(info.getSettings().getCheckpointLowerBound()).isEqualTo(1);

            var recorder = new Recorder();
            PersistentSubscription sub = subs.subscribeToStream(
                            stream, "g", SubscribePersistentSubscriptionOptions.get(), recorder)
                    .get(10, TimeUnit.SECONDS);
            Delivery resumed = recorder.next();
            assertThat(resumed.type()).isEqualTo("e5"); // nothing acknowledged comes back
            recorder.expectNothingFor(Duration.ofMillis(300));
            subs.replayParkedMessagesToStream(stream, "g").get();
            assertThat(recorder.next().type()).isEqualTo("e4");
            sub.stop();
            subs.shutdown().get();
        } finally {
            second.close();
        }
    }

    @Test
    void unsupportedInputIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> ps.createToStream("", "g", fromStart()).get())
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("INVALID_ARGUMENT");
    }
}
