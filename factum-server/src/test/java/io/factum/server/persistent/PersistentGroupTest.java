package io.factum.server.persistent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreLimits;
import io.factum.testkit.ManualClock;
import io.factum.testkit.memory.InMemoryEventStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subsystem over the in-memory store with a manual clock: strategies, retries, timeouts,
 * parking, replays and checkpoints. The store delivers on its own threads, so tests wait for
 * deliveries (never for time: timeouts move with the manual clock and {@link PersistentGroup#tick}).
 */
class PersistentGroupTest {

    final ManualClock clock = ManualClock.atDefaultStart();
    final InMemoryEventStore store = new InMemoryEventStore(clock, StoreLimits.defaults());
    PersistentSubscriptions subs = new PersistentSubscriptions(store, clock, Scheduler.manual()).start();

    @AfterEach
    void close() {
        subs.close();
        store.close();
    }

    static final class Sink implements ConsumerSink {
        final List<Message> delivered = new ArrayList<>();
        final List<DropReason> drops = new ArrayList<>();

        @Override
        public synchronized void deliver(Message message) {
            delivered.add(message);
        }

        @Override
        public synchronized void dropped(DropReason reason) {
            drops.add(reason);
        }

        synchronized List<Message> delivered() {
            return List.copyOf(delivered);
        }

        synchronized int count() {
            return delivered.size();
        }

        synchronized List<DropReason> drops() {
            return List.copyOf(drops);
        }

        synchronized List<UUID> ids() {
            return delivered.stream().map(Message::id).toList();
        }

        synchronized List<String> types() {
            return delivered.stream().map(m -> m.original().type()).toList();
        }
    }

    static GroupSettings.Builder fromStart() {
        return GroupSettings.builder().startFrom(StartFrom.start());
    }

    void append(String stream, String... types) {
        List<EventData> events = new ArrayList<>();
        for (String type : types) {
            events.add(EventData.json(type, "{}"));
        }
        store.append(stream, ExpectedVersion.any(), events);
    }

    void appendCorrelated(String stream, String type, String correlationId) {
        store.append(
                stream,
                ExpectedVersion.any(),
                List.of(EventData.json(
                        UUID.randomUUID(), type, "{}", "{\"$correlationId\":\"" + correlationId + "\"}")));
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    Consumer connect(GroupKey key, int buffer, Sink sink) {
        return subs.connect(key, new ConsumerSpec(buffer, "test", "tester"), sink);
    }

    PersistentGroup group(GroupKey key) {
        return subs.group(key).orElseThrow();
    }

    List<RecordedEvent> read(String stream) {
        return store.readStream(stream, 0, Direction.FORWARDS, 1000).events();
    }

    @Test
    void roundRobinAlternatesBetweenConsumers() {
        var key = new GroupKey("rr", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var a = new Sink();
        var b = new Sink();
        connect(key, 10, a);
        connect(key, 10, b);
        append("rr", "e0", "e1", "e2", "e3", "e4", "e5");
        await("six deliveries", () -> a.count() + b.count() == 6);
        assertThat(a.types()).containsExactly("e0", "e2", "e4");
        assertThat(b.types()).containsExactly("e1", "e3", "e5");
    }

    @Test
    void dispatchToSingleFillsTheFirstConsumerBeforeTheNext() {
        var key = new GroupKey("single", "g");
        subs.create(
                key, fromStart().strategy(ConsumerStrategy.DISPATCH_TO_SINGLE).build(), FilterSpec.none());
        var a = new Sink();
        var b = new Sink();
        Consumer first = connect(key, 3, a);
        connect(key, 3, b);
        append("single", "e0", "e1", "e2", "e3", "e4");
        await("five deliveries", () -> a.count() + b.count() == 5);
        assertThat(a.types()).containsExactly("e0", "e1", "e2");
        assertThat(b.types()).containsExactly("e3", "e4");

        first.ack(a.ids());
        append("single", "e5");
        await("e5", () -> a.count() == 4);
        assertThat(a.types()).last().isEqualTo("e5");
        assertThat(b.count()).isEqualTo(2);
    }

    @Test
    void pinnedKeepsEachStreamOnOneConsumer() {
        var key = GroupKey.all("pinned");
        // $all holds the subsystem's own events too (its configuration): keep to the test's streams.
        subs.create(
                key,
                fromStart().strategy(ConsumerStrategy.PINNED).build(),
                new FilterSpec(FilterSpec.Kind.STREAM_PREFIX, List.of("p-")));
        var a = new Sink();
        var b = new Sink();
        connect(key, 100, a);
        connect(key, 100, b);
        List<String> streams = List.of("p-1", "p-2", "p-3", "p-4", "p-5", "p-6");
        for (int round = 0; round < 4; round++) {
            for (String stream : streams) {
                append(stream, "t" + round);
            }
        }
        await("24 deliveries", () -> a.count() + b.count() == 24);
        Set<String> onA = streamsOf(a);
        Set<String> onB = streamsOf(b);
        assertThat(onA).doesNotContainAnyElementsOf(onB);
        assertThat(onA).isNotEmpty();
        assertThat(onB).isNotEmpty();
        // Each consumer sees its streams' events in order.
        for (Sink sink : List.of(a, b)) {
            Map<String, List<String>> byStream = sink.delivered().stream()
                    .collect(Collectors.groupingBy(
                            m -> m.original().stream(),
                            Collectors.mapping(m -> m.original().type(), Collectors.toList())));
            byStream.values().forEach(types -> assertThat(types).containsExactly("t0", "t1", "t2", "t3"));
        }
    }

    private static Set<String> streamsOf(Sink sink) {
        return sink.delivered().stream().map(m -> m.original().stream()).collect(Collectors.toSet());
    }

    @Test
    void pinnedByCorrelationKeepsACorrelationOnOneConsumerAcrossStreams() {
        var key = GroupKey.all("corr");
        subs.create(
                key,
                fromStart().strategy(ConsumerStrategy.PINNED_BY_CORRELATION).build(),
                new FilterSpec(FilterSpec.Kind.STREAM_PREFIX, List.of("c-")));
        var a = new Sink();
        var b = new Sink();
        connect(key, 100, a);
        connect(key, 100, b);
        for (int i = 0; i < 12; i++) {
            appendCorrelated("c-" + i, "T", "saga-" + (i % 3));
        }
        await("12 deliveries", () -> a.count() + b.count() == 12);
        Set<String> correlationsOnA = correlations(a);
        Set<String> correlationsOnB = correlations(b);
        assertThat(correlationsOnA).doesNotContainAnyElementsOf(correlationsOnB);
        assertThat(a.count() + b.count()).isEqualTo(12);
    }

    private static Set<String> correlations(Sink sink) {
        Set<String> out = new HashSet<>();
        for (Message m : sink.delivered()) {
            out.add(new String(m.original().metadata(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aConsumerNeverHoldsMoreThanItsBufferAndASlowOneDoesNotHoldUpTheOther() {
        var key = new GroupKey("bounded", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var slow = new Sink();
        var fast = new Sink();
        connect(key, 2, slow);
        Consumer quick = connect(key, 2, fast);
        for (int i = 0; i < 10; i++) {
            append("bounded", "e" + i);
        }
        await("both buffers full", () -> slow.count() == 2 && fast.count() == 2);
        // The fast consumer keeps acknowledging; the slow one never does.
        int acked = 0;
        while (fast.count() < 8) {
            int seen = fast.count();
            var ids = fast.ids();
            quick.ack(ids);
            acked = ids.size();
            await("more for the fast consumer", () -> fast.count() > seen);
        }
        assertThat(slow.count()).isEqualTo(2);
        // In flight: the slow consumer's two, and what the fast one received since its last ack.
        // The statistics are updated by the group's thread right after a hand-over; wait for them.
        int expected = 2 + fast.count() - acked;
        await("in flight: " + expected, () -> group(key).info().stats().inFlightCount() == expected);
        assertThat(slow.count()).isEqualTo(2);
    }

    @Test
    void aTimedOutEventIsDeliveredAgainWithAHigherRetryCount() {
        var key = new GroupKey("timeout", "g");
        subs.create(key, fromStart().messageTimeoutMs(1_000).build(), FilterSpec.none());
        var sink = new Sink();
        connect(key, 10, sink);
        append("timeout", "e0");
        await("first delivery", () -> sink.count() == 1);

        clock.advance(Duration.ofMillis(999));
        group(key).tick();
        assertThat(sink.count()).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        group(key).tick();
        assertThat(sink.delivered()).extracting(Message::retryCount).containsExactly(0, 1);
        assertThat(sink.delivered().get(1).id())
                .isEqualTo(sink.delivered().get(0).id());
    }

    @Test
    void retriesUpToTheMaximumThenParks() {
        var key = new GroupKey("retries", "g");
        subs.create(key, fromStart().maxRetryCount(2).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("retries", "e0");
        await("first delivery", () -> sink.count() == 1);
        UUID id = sink.ids().getFirst();
        consumer.nack(List.of(id), NackAction.RETRY, "again");
        consumer.nack(List.of(id), NackAction.UNKNOWN, "unknown means retry");
        assertThat(sink.delivered()).extracting(Message::retryCount).containsExactly(0, 1, 2);

        consumer.nack(List.of(id), NackAction.RETRY, "once too often");
        assertThat(sink.count()).isEqualTo(3);
        List<RecordedEvent> parked = read(key.parkedStream());
        assertThat(parked).hasSize(1);
        assertThat(parked.getFirst().type()).isEqualTo("$>");
        assertThat(parked.getFirst().dataAsString()).isEqualTo("0@retries");
        assertThat(parked.getFirst().metadataAsString()).contains("retry count exceeded");
        assertThat(group(key).info().stats().parkedCount()).isEqualTo(1);
    }

    @Test
    void parkedEventsComeBackOnReplayAndLeaveTheParkedStreamOnceProcessed() {
        var key = new GroupKey("park", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("park", "e0", "e1", "e2");
        await("three deliveries", () -> sink.count() == 3);
        consumer.nack(sink.ids().subList(0, 2), NackAction.PARK, "poison");
        consumer.ack(sink.ids().subList(2, 3));
        assertThat(read(key.parkedStream()))
                .extracting(RecordedEvent::dataAsString)
                .containsExactly("0@park", "1@park");
        assertThat(read(key.parkedStream()).getFirst().metadataAsString()).contains("poison");

        subs.replayParked(key, 1); // only the first parked entry
        await("the replayed event", () -> sink.count() == 4);
        Message replayed = sink.delivered().get(3);
        assertThat(replayed.original().type()).isEqualTo("e0");
        assertThat(replayed.retryCount()).isZero();
        consumer.ack(List.of(replayed.id()));
        group(key).tick();
        assertThat(read(key.parkedStream()))
                .extracting(RecordedEvent::dataAsString)
                .containsExactly("1@park");
        assertThat(group(key).info().stats().parkedCount()).isEqualTo(1);

        subs.replayParked(key, Long.MAX_VALUE);
        await("the second replayed event", () -> sink.count() == 5);
        assertThat(sink.delivered().get(4).original().type()).isEqualTo("e1");
        consumer.ack(List.of(sink.delivered().get(4).id()));
        group(key).tick();
        assertThat(read(key.parkedStream())).isEmpty();
        assertThat(group(key).info().stats().parkedCount()).isZero();
    }

    @Test
    void skipCountsAsProcessedAndTheCheckpointNeverPassesAnUnprocessedEvent() {
        var key = new GroupKey("cp", "g");
        subs.create(
                key, fromStart().minCheckpointCount(1).checkpointAfterMs(1_000).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("cp", "e0", "e1", "e2", "e3", "e4");
        await("five deliveries", () -> sink.count() == 5);
        List<UUID> ids = sink.ids();
        consumer.ack(List.of(ids.get(0), ids.get(2), ids.get(3)));
        consumer.nack(List.of(ids.get(4)), NackAction.SKIP, "not mine");
        clock.advance(Duration.ofSeconds(2));
        group(key).tick();
        assertThat(checkpoints(key)).containsExactly("0"); // e1 is still in flight

        consumer.ack(List.of(ids.get(1)));
        clock.advance(Duration.ofSeconds(2));
        group(key).tick();
        assertThat(lastCheckpoint(key)).isEqualTo("4");
        assertThat(group(key).info().stats().lastCheckpoint()).hasValue(4);
    }

    private List<String> checkpoints(GroupKey key) {
        return read(key.checkpointStream()).stream()
                .map(RecordedEvent::dataAsString)
                .toList();
    }

    private String lastCheckpoint(GroupKey key) {
        return store.readStream(key.checkpointStream(), Long.MAX_VALUE, Direction.BACKWARDS, 1)
                .events()
                .getFirst()
                .dataAsString();
    }

    @Test
    void maxCheckpointCountWritesACheckpointAtOnce() {
        var key = new GroupKey("cpmax", "g");
        subs.create(key, fromStart().minCheckpointCount(2).maxCheckpointCount(3).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("cpmax", "e0", "e1", "e2");
        await("three deliveries", () -> sink.count() == 3);
        consumer.ack(sink.ids().subList(0, 2));
        assertThat(read(key.checkpointStream())).isEmpty();
        consumer.ack(sink.ids().subList(2, 3));
        assertThat(lastCheckpoint(key)).isEqualTo("2");
    }

    @Test
    void groupsCheckpointsAndParkedEventsSurviveARestart() {
        var key = new GroupKey("durable", "g");
        var all = GroupKey.all("durable-all");
        subs.create(key, fromStart().minCheckpointCount(1).build(), FilterSpec.none());
        subs.create(all, fromStart().build(), new FilterSpec(FilterSpec.Kind.STREAM_PREFIX, List.of("dur")));
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("durable", "e0", "e1", "e2", "e3");
        await("four deliveries", () -> sink.count() == 4);
        consumer.ack(sink.ids().subList(0, 2));
        consumer.nack(sink.ids().subList(2, 3), NackAction.PARK, "bad");
        subs.close(); // a clean stop writes the checkpoint: e0..e2 are processed, e3 is not

        subs = new PersistentSubscriptions(store, clock, Scheduler.manual()).start();
        assertThat(subs.list()).extracting(i -> i.config().key()).containsExactly(all, key);
        GroupInfo info = subs.info(all);
        assertThat(info.config().filter()).isEqualTo(new FilterSpec(FilterSpec.Kind.STREAM_PREFIX, List.of("dur")));
        assertThat(subs.info(key).stats().lastCheckpoint()).hasValue(2);
        assertThat(subs.info(key).stats().parkedCount()).isEqualTo(1);

        var after = new Sink();
        connect(key, 10, after);
        await("redelivery of e3", () -> after.count() == 1);
        assertThat(after.types()).containsExactly("e3");
        subs.replayParked(key, Long.MAX_VALUE);
        await("the parked e2", () -> after.count() == 2);
        assertThat(after.types()).containsExactly("e3", "e2");
    }

    @Test
    void startFromEndSkipsEarlierEventsEvenAcrossARestart() {
        append("late", "old");
        var key = new GroupKey("late", "g");
        subs.create(key, GroupSettings.defaults(), FilterSpec.none());
        subs.close();
        append("late", "new"); // written while the server is down, before any checkpoint
        subs = new PersistentSubscriptions(store, clock, Scheduler.manual()).start();
        var sink = new Sink();
        connect(key, 10, sink);
        await("the new event", () -> sink.count() == 1);
        assertThat(sink.types()).containsExactly("new");
    }

    @Test
    void aFilteredAllGroupDeliversOnlyMatchingEvents() {
        var key = GroupKey.all("filtered");
        subs.create(key, fromStart().build(), new FilterSpec(FilterSpec.Kind.TYPE_REGEX, List.of("^Order")));
        var sink = new Sink();
        connect(key, 10, sink);
        append("f-1", "OrderPlaced", "Other", "OrderPaid");
        await("two deliveries", () -> sink.count() == 2);
        assertThat(sink.types()).containsExactly("OrderPlaced", "OrderPaid");
        assertThat(sink.delivered().get(1).sequence())
                .isEqualTo(sink.delivered().get(1).original().position());
    }

    @Test
    void resolvedLinksCarryTheLinkAndAreAcknowledgedByTheLinkId() {
        append("target", "Real");
        store.append(
                "links",
                ExpectedVersion.any(),
                List.of(new EventData(
                        UUID.randomUUID(),
                        "$>",
                        "0@target".getBytes(StandardCharsets.UTF_8),
                        new byte[0],
                        io.factum.api.ContentType.BINARY)));
        var key = new GroupKey("links", "g");
        subs.create(key, fromStart().resolveLinks(true).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        await("the link", () -> sink.count() == 1);
        Message message = sink.delivered().getFirst();
        assertThat(message.event().orElseThrow().type()).isEqualTo("Real");
        assertThat(message.link().orElseThrow().type()).isEqualTo("$>");
        assertThat(message.id()).isEqualTo(message.link().orElseThrow().eventId());
        consumer.ack(List.of(message.id()));
        assertThat(group(key).info().stats().inFlightCount()).isZero();
    }

    @Test
    void maximumSubscribersIsEnforced() {
        var key = new GroupKey("max", "g");
        subs.create(key, fromStart().maxSubscriberCount(1).build(), FilterSpec.none());
        Consumer first = connect(key, 10, new Sink());
        assertThatThrownBy(() -> connect(key, 10, new Sink())).isInstanceOf(MaximumSubscribersReachedException.class);
        first.disconnect();
        connect(key, 10, new Sink());
    }

    @Test
    void aDisconnectedConsumersEventsGoToTheOthersAsRetries() {
        var key = new GroupKey("leave", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var a = new Sink();
        Consumer leaving = connect(key, 10, a);
        append("leave", "e0", "e1");
        await("two deliveries", () -> a.count() == 2);
        var b = new Sink();
        connect(key, 10, b);
        leaving.disconnect();
        assertThat(b.types()).containsExactly("e0", "e1");
        assertThat(b.delivered()).extracting(Message::retryCount).containsExactly(1, 1);
    }

    @Test
    void nackStopEndsThatConsumerAndGivesItsEventsBack() {
        var key = new GroupKey("stop", "g");
        subs.create(
                key, fromStart().strategy(ConsumerStrategy.DISPATCH_TO_SINGLE).build(), FilterSpec.none());
        var a = new Sink();
        var b = new Sink();
        Consumer stopping = connect(key, 10, a);
        connect(key, 10, b);
        append("stop", "e0");
        await("delivery", () -> a.count() == 1);
        stopping.nack(a.ids(), NackAction.STOP, "shutting down");
        assertThat(a.drops()).containsExactly(DropReason.STOPPED_BY_CONSUMER);
        assertThat(b.types()).containsExactly("e0");
    }

    @Test
    void deleteDropsConsumersAndForgetsTheGroupsState() {
        var key = new GroupKey("gone", "g");
        subs.create(key, fromStart().minCheckpointCount(0).maxCheckpointCount(1).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("gone", "e0", "e1");
        await("two deliveries", () -> sink.count() == 2);
        consumer.ack(sink.ids().subList(0, 1));
        consumer.nack(sink.ids().subList(1, 2), NackAction.PARK, "x");
        assertThat(read(key.checkpointStream())).isNotEmpty();

        subs.delete(key);
        assertThat(sink.drops()).containsExactly(DropReason.GROUP_DELETED);
        assertThatThrownBy(() -> connect(key, 10, new Sink())).isInstanceOf(GroupNotFoundException.class);
        assertThatThrownBy(() -> subs.delete(key)).isInstanceOf(GroupNotFoundException.class);
        assertThat(read(key.checkpointStream())).isEmpty();
        assertThat(read(key.parkedStream())).isEmpty();

        subs.create(key, fromStart().build(), FilterSpec.none()); // same name: a fresh start
        var again = new Sink();
        connect(key, 10, again);
        await("both events again", () -> again.count() == 2);
        assertThat(subs.info(key).stats().parkedCount()).isZero();
    }

    @Test
    void updateDropsConsumersAppliesTheSettingsAndKeepsTheCheckpoint() {
        var key = new GroupKey("upd", "g");
        subs.create(key, fromStart().maxCheckpointCount(1).minCheckpointCount(0).build(), FilterSpec.none());
        var sink = new Sink();
        Consumer consumer = connect(key, 10, sink);
        append("upd", "e0", "e1");
        await("two deliveries", () -> sink.count() == 2);
        consumer.ack(sink.ids().subList(0, 1));

        subs.update(
                key,
                fromStart().maxRetryCount(3).strategy(ConsumerStrategy.PINNED).build());
        assertThat(sink.drops()).containsExactly(DropReason.GROUP_UPDATED);
        GroupInfo info = subs.info(key);
        assertThat(info.config().settings().maxRetryCount()).isEqualTo(3);
        assertThat(info.config().settings().strategy()).isEqualTo(ConsumerStrategy.PINNED);
        var after = new Sink();
        connect(key, 10, after);
        await("e1 again", () -> after.count() == 1);
        assertThat(after.types()).containsExactly("e1");
    }

    @Test
    void createTwiceAndMissingGroupsAreRefused() {
        var key = new GroupKey("dup", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        assertThatThrownBy(() -> subs.create(key, fromStart().build(), FilterSpec.none()))
                .isInstanceOf(GroupExistsException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> subs.info(new GroupKey("dup", "other"))).isInstanceOf(GroupNotFoundException.class);
        assertThatThrownBy(() -> subs.update(new GroupKey("nope", "g"), GroupSettings.defaults()))
                .isInstanceOf(GroupNotFoundException.class);
        assertThatThrownBy(() -> subs.list("nope")).isInstanceOf(GroupNotFoundException.class);
        assertThat(subs.list("dup")).hasSize(1);
    }

    @Test
    void restartDropsConsumersAndReloadsTheGroups() {
        var key = new GroupKey("restart", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var sink = new Sink();
        connect(key, 10, sink);
        subs.restart();
        assertThat(sink.drops()).containsExactly(DropReason.SUBSYSTEM_RESTARTED);
        assertThat(subs.list()).hasSize(1);
        connect(key, 10, new Sink());
    }

    @Test
    void closingDropsConsumersWithServerStopping() {
        var key = new GroupKey("closing", "g");
        subs.create(key, fromStart().build(), FilterSpec.none());
        var sink = new Sink();
        connect(key, 10, sink);
        subs.close();
        assertThat(sink.drops()).containsExactly(DropReason.SERVER_STOPPING);
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> fromStart().liveBufferSize(0).build()).hasMessageContaining("liveBufferSize");
        assertThatThrownBy(() ->
                        fromStart().minCheckpointCount(5).maxCheckpointCount(4).build())
                .hasMessageContaining("maxCheckpointCount");
        assertThatThrownBy(() -> new FilterSpec(FilterSpec.Kind.STREAM_REGEX, List.of("(")))
                .hasMessageContaining("regular expression");
        assertThatThrownBy(() -> ConsumerStrategy.fromName("strategy", "Random"))
                .hasMessageContaining("RoundRobin");
    }

    @Test
    void theConfigurationRoundTripsThroughItsJson() {
        var config = new GroupConfig(
                GroupKey.all("json"),
                GroupSettings.builder()
                        .startFrom(StartFrom.at(42))
                        .resolveLinks(true)
                        .extraStatistics(true)
                        .messageTimeoutMs(1234)
                        .maxRetryCount(7)
                        .liveBufferSize(11)
                        .readBatchSize(12)
                        .historyBufferSize(13)
                        .checkpointAfterMs(14)
                        .minCheckpointCount(15)
                        .maxCheckpointCount(16)
                        .maxSubscriberCount(17)
                        .strategy(ConsumerStrategy.PINNED_BY_CORRELATION)
                        .build(),
                new FilterSpec(FilterSpec.Kind.TYPE_PREFIX, List.of("a", "b")),
                99);
        var stream = new GroupConfig(new GroupKey("s", "g"), GroupSettings.defaults(), FilterSpec.none(), 0);
        assertThat(ConfigCodec.decode(ConfigCodec.encode(List.of(config, stream))))
                .containsExactly(config, stream);
    }
}
