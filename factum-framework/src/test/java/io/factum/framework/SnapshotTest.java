package io.factum.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.framework.Account.Deposit;
import io.factum.framework.Account.Open;
import io.factum.framework.Account.Withdraw;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Snapshots through the stream command handler, against the in-memory store and the engine. */
class SnapshotTest {

    @Nested
    class InMemory extends Cases implements StoreOpener.InMemory {}

    @Nested
    class Embedded extends Cases implements StoreOpener.Embedded {}

    /** {"open":true,"balance":5} under a schema version chosen by the test. */
    record StateCodec(int schemaVersion) implements SnapshotCodec<Account.State> {
        @Override
        public byte[] encode(Account.State state) {
            return ("{\"open\":" + state.open() + ",\"balance\":" + state.balance() + "}")
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Account.State decode(byte[] data) {
            String json = new String(data, StandardCharsets.UTF_8);
            boolean open = json.contains("\"open\":true");
            int at = json.indexOf("\"balance\":");
            if (at < 0) {
                throw new IllegalArgumentException("no balance in " + json);
            }
            return new Account.State(open, Long.parseLong(json.substring(at + 10, json.length() - 1)));
        }
    }

    /** The account decider, running {@code onEvolve} for each event it folds. */
    record Observed(Runnable onEvolve) implements Decider<Account.Command, Account.State, Account.Event> {
        private static final Account.Decide ACCOUNT = new Account.Decide();

        @Override
        public Account.State initialState() {
            return ACCOUNT.initialState();
        }

        @Override
        public Decision<Account.Event> decide(Account.Command command, Account.State state) {
            return ACCOUNT.decide(command, state);
        }

        @Override
        public Account.State evolve(Account.State state, Account.Event event) {
            onEvolve.run();
            return ACCOUNT.evolve(state, event);
        }
    }

    abstract static class Cases extends OnEachStore {
        final AtomicInteger folded = new AtomicInteger();
        final Observed decider = new Observed(folded::incrementAndGet);

        StreamCommandHandler.Builder<Account.Command, Account.State, Account.Event> builder(SnapshotPolicy policy) {
            return StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .snapshots(new StateCodec(1), policy);
        }

        void apply(StreamCommandHandler<Account.Command, Account.State, Account.Event> handler, int deposits) {
            handler.handle(CommandEnvelope.of(new Open("a")));
            for (int i = 0; i < deposits; i++) {
                assertThat(handler.handle(CommandEnvelope.of(new Deposit("a", 1))))
                        .isInstanceOf(CommandResult.Applied.class);
            }
        }

        List<RecordedEvent> snapshots(String stream) {
            ReadStreamResult result = store.readStream("snapshot-" + stream, 0, Direction.FORWARDS, 100);
            return result instanceof ReadStreamResult.Found found ? found.events() : List.of();
        }

        @Test
        void everyNEventsASnapshotIsStoredAndLoadingStartsFromIt() {
            var handler = builder(SnapshotPolicy.everyEvents(10)).build();
            apply(handler, 24); // versions 0..24

            List<RecordedEvent> kept = snapshots("account-a");
            assertThat(kept).as("$maxCount 1 keeps the newest").hasSize(1);
            RecordedEvent snapshot = kept.getFirst();
            assertThat(snapshot.type()).isEqualTo("$snapshot");
            assertThat(snapshot.dataAsString()).isEqualTo("{\"open\":true,\"balance\":19}");
            assertThat(snapshot.metadataAsString())
                    .contains("\"$snapshotOf\":\"account-a\"", "\"$version\":19", "\"$schemaVersion\":1");
            assertThat(store.getStreamMetadata("snapshot-account-a").metadata().maxCount())
                    .isEqualTo(OptionalLong.of(1));
            assertThat(handler.snapshotStats()).isEqualTo(new SnapshotStats(2, 0, 0));

            folded.set(0);
            assertThat(handler.load("account-a")).isEqualTo(new EntityState<>(new Account.State(true, 24), 24));
            assertThat(folded).as("only the events after version 19").hasValue(5);
        }

        @Test
        void aSnapshotOfAnotherSchemaVersionIsIgnoredAndRebuilt() {
            apply(builder(SnapshotPolicy.everyEvents(10)).build(), 14); // snapshot at 9, stream at 14
            var newCode = StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .snapshots(new StateCodec(2), SnapshotPolicy.everyEvents(10))
                    .build();

            folded.set(0);
            assertThat(newCode.load("account-a").state()).isEqualTo(new Account.State(true, 14));
            assertThat(folded).as("every event, from the first").hasValue(15);

            newCode.handle(CommandEnvelope.of(new Deposit("a", 1))); // 16 events since: due
            assertThat(snapshots("account-a").getFirst().metadataAsString())
                    .contains("\"$schemaVersion\":2", "\"$version\":15");
        }

        @Test
        void aSnapshotThatDoesNotDecodeOrNoLongerMatchesTheStreamIsIgnored() {
            apply(builder(SnapshotPolicy.onDemand()).build(), 4);
            String meta = "{\"$snapshotOf\":\"account-a\",\"$version\":3,\"$eventId\":\"" + UUID.randomUUID()
                    + "\",\"$schemaVersion\":1,\"$recentEventIds\":\"\"}";
            store.append(
                    "snapshot-account-a",
                    ExpectedVersion.any(),
                    List.of(snapshotEvent("{\"open\":true,\"balance\":999}", meta)));
            var handler = builder(SnapshotPolicy.onDemand()).build();

            assertThat(handler.load("account-a").state())
                    .as("the event at version 3 has another id than the snapshot names")
                    .isEqualTo(new Account.State(true, 4));

            store.append("snapshot-account-a", ExpectedVersion.any(), List.of(snapshotEvent("not json", "{}")));
            assertThat(handler.load("account-a").state()).isEqualTo(new Account.State(true, 4));

            assertThat(handler.snapshot("account-a")).isEqualTo(4);
            folded.set(0);
            assertThat(handler.load("account-a").state()).isEqualTo(new Account.State(true, 4));
            assertThat(folded).as("the rebuilt snapshot is used").hasValue(0);
        }

        private static EventData snapshotEvent(String data, String metadata) {
            return EventData.json(UUID.randomUUID(), "$snapshot", data, metadata);
        }

        @Test
        void onDemandWritesOnlyWhenAskedAndOnlyWhenThereIsSomethingNew() {
            var handler = builder(SnapshotPolicy.onDemand()).build();
            assertThat(handler.snapshot("account-a")).as("no stream").isEqualTo(-1);
            apply(handler, 30);
            assertThat(snapshots("account-a")).isEmpty();

            assertThat(handler.snapshot("account-a")).isEqualTo(30);
            assertThat(handler.snapshot("account-a")).isEqualTo(30);
            assertThat(handler.snapshotStats().written()).isEqualTo(1);

            var without = StreamCommandHandler.builder(store, decider, new Account.Codec(), Account::stream)
                    .build();
            assertThatThrownBy(() -> without.snapshot("account-a"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("snapshots(codec, policy)");
        }

        @Test
        void everyDurationSnapshotsWhenTheOldestUncoveredEventIsThatOld() {
            MutableClock clock = new MutableClock(Instant.now());
            var handler = builder(SnapshotPolicy.every(Duration.ofMinutes(10)))
                    .clock(clock)
                    .build();
            apply(handler, 5);
            assertThat(snapshots("account-a")).isEmpty();

            clock.advance(Duration.ofMinutes(11));
            handler.handle(CommandEnvelope.of(new Deposit("a", 1)));
            assertThat(snapshots("account-a")).hasSize(1);
            assertThat(snapshots("account-a").getFirst().metadataAsString()).contains("\"$version\":6");

            handler.handle(CommandEnvelope.of(new Deposit("a", 1)));
            assertThat(handler.snapshotStats().written())
                    .as("the new events are fresh")
                    .isEqualTo(1);
        }

        @Test
        void adaptiveSnapshotsWhenTheMeasuredReplayCostExceedsTheBudget() {
            // Folding an event "takes" 100 µs on this clock; nothing else does.
            AtomicLong nanos = new AtomicLong();
            var slow = new Observed(() -> nanos.addAndGet(100_000));
            var handler = StreamCommandHandler.builder(store, slow, new Account.Codec(), Account::stream)
                    .snapshots(new StateCodec(1), SnapshotPolicy.adaptive(Duration.ofMillis(1)))
                    .nanoTime(nanos::get)
                    .build();

            apply(handler, 9); // 10 events: replaying them costs 1 ms, not more
            assertThat(snapshots("account-a")).isEmpty();
            handler.handle(CommandEnvelope.of(new Deposit("a", 1))); // 11 events cost 1.1 ms
            assertThat(snapshots("account-a")).hasSize(1);
            assertThat(snapshots("account-a").getFirst().metadataAsString()).contains("\"$version\":10");
        }

        @Test
        void aRedeliveredCommandIsRecognisedAfterASnapshotCoveredItsEvents() {
            var handler = builder(SnapshotPolicy.everyEvents(5)).build();
            handler.handle(CommandEnvelope.of(new Open("a")));
            CommandEnvelope<Account.Command> deposit = CommandEnvelope.of(new Deposit("a", 50));
            handler.handle(deposit); // version 1
            apply(handler, 12);
            assertThat(snapshots("account-a").getFirst().metadataAsString()).contains("\"$version\":9");

            assertThat(handler.handle(deposit)).isEqualTo(new CommandResult.AlreadyApplied<>(1));
            assertThat(handler.load("account-a").state().balance()).isEqualTo(62);
        }

        @Test
        void aSnapshotThatCannotBeTakenDoesNotFailTheCommand() {
            var handler = builder(SnapshotPolicy.everyEvents(1))
                    .snapshotsOn(task -> {
                        throw new java.util.concurrent.RejectedExecutionException("queue full");
                    })
                    .build();

            assertThat(handler.handle(CommandEnvelope.of(new Open("a")))).isInstanceOf(CommandResult.Applied.class);
            assertThat(handler.snapshotStats()).isEqualTo(new SnapshotStats(0, 0, 1));
            assertThat(snapshots("account-a")).isEmpty();
        }

        @Test
        void underConcurrentCommandsEverySnapshotHoldsExactlyTheStateAtItsVersion() throws Exception {
            List<String> ids = List.of("a", "b", "c");
            for (String id : ids) {
                builder(SnapshotPolicy.onDemand()).build().handle(CommandEnvelope.of(new Open(id)));
            }
            List<RecordedEvent> taken = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService threads = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    var handler = builder(SnapshotPolicy.everyEvents(3))
                            .pause(delay -> {})
                            .retry(new RetryPolicy(1000, Duration.ofMillis(1), Duration.ofMillis(1)))
                            .build();
                    work.add(threads.submit(() -> {
                        for (int i = 0; i < 60; i++) {
                            String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                            Account.Command command = i % 4 == 3 ? new Withdraw(id, 2) : new Deposit(id, 1);
                            handler.handle(CommandEnvelope.of(command));
                            snapshots("account-" + id).forEach(taken::add);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            assertThat(taken).isNotEmpty();
            for (RecordedEvent snapshot : taken) {
                String entity = snapshot.stream().substring("snapshot-".length());
                long version =
                        Long.parseLong(snapshot.metadataAsString().replaceAll(".*\"\\$version\":(\\d+).*", "$1"));
                assertThat(snapshot.dataAsString())
                        .as("%s at %d", entity, version)
                        .isEqualTo(new String(
                                new StateCodec(1).encode(foldUntil(entity, version)), StandardCharsets.UTF_8));
            }
        }

        /** The state after the events up to {@code version}, folded from the start. */
        private Account.State foldUntil(String stream, long version) {
            Account.Decide decide = new Account.Decide();
            Account.Codec codec = new Account.Codec();
            Account.State state = decide.initialState();
            ReadStreamResult.Found found =
                    (ReadStreamResult.Found) store.readStream(stream, 0, Direction.FORWARDS, 4096);
            for (RecordedEvent event : found.events()) {
                if (event.version() > version) {
                    break;
                }
                state = decide.evolve(state, codec.decode(event.type(), event.data()));
            }
            return state;
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
