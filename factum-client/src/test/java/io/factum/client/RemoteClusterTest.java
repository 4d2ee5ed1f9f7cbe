package io.factum.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.AppendCondition;
import io.factum.api.AppendResult;
import io.factum.api.Direction;
import io.factum.api.EventData;
import io.factum.api.ExpectedVersion;
import io.factum.api.Query;
import io.factum.api.QueryItem;
import io.factum.api.ReadStreamResult;
import io.factum.api.RecordedEvent;
import io.factum.api.StoreFailedException;
import io.factum.api.StreamAppend;
import io.factum.api.StreamDeletedException;
import io.factum.api.StreamMetadata;
import io.factum.api.SubscribeFrom;
import io.factum.api.Subscription;
import io.factum.testkit.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote client against a real three-node cluster in this JVM: it follows the leader when it
 * writes through a follower, finds the new leader through gossip when the leader's node stops, and
 * does not store a retried write twice.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteClusterTest {

    @TempDir
    Path dir;

    private ServedCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static EventData event(String type) {
        return EventData.json(type, "{}");
    }

    private static List<String> types(ReadStreamResult read) {
        return read.events().stream().map(RecordedEvent::type).toList();
    }

    @Test
    void aClientOfAFollowerReadsThereAndAppendsOnTheLeader() throws Exception {
        cluster = ServedCluster.start(dir);
        ServedCluster.Running leader = cluster.awaitLeader();
        ServedCluster.Running follower = cluster.follower();

        try (RemoteEventStore remote =
                RemoteEventStore.connect(cluster.url(follower.member().id(), 10_000))) {
            assertThat(remote.readStream("order-1", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(ReadStreamResult.NotFound.class);
            assertThat(remote.currentNode()).isEqualTo(ServedCluster.endpoint(follower.member()));

            AppendResult result = remote.append("order-1", ExpectedVersion.noStream(), List.of(event("Placed")));

            assertThat(result.streamVersion()).isZero();
            assertThat(result.written()).isTrue();
            assertThat(remote.currentNode()).isEqualTo(ServedCluster.endpoint(leader.member()));
            assertThat(types(leader.node().store().readStream("order-1", 0, Direction.FORWARDS, 10)))
                    .containsExactly("Placed");
        }
    }

    @Test
    void everyKindOfWriteSentToAFollowerIsCarriedOutOnTheLeader() throws Exception {
        cluster = ServedCluster.start(dir);
        ServedCluster.Running leader = cluster.awaitLeader();
        String follower = cluster.follower().member().id();
        var onLeader = leader.node().store();

        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 10_000))) {
            remote.appendMulti(
                    List.of(
                            new StreamAppend("a", ExpectedVersion.noStream(), List.of(event("A"))),
                            new StreamAppend("b", ExpectedVersion.noStream(), List.of(event("B")))),
                    Optional.empty());
        }
        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 10_000))) {
            remote.appendMulti(
                    List.of(new StreamAppend("c", ExpectedVersion.noStream(), List.of(event("C")))),
                    Optional.of(AppendCondition.noneMatching(Query.of(QueryItem.types("C")))));
        }
        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 10_000))) {
            remote.setStreamMetadata(
                    "a", ExpectedVersion.any(), StreamMetadata.empty().withMaxCount(5));
        }
        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 10_000))) {
            remote.delete("b", ExpectedVersion.exactly(0));
        }
        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 10_000))) {
            remote.tombstone("c", ExpectedVersion.exactly(0));
        }

        assertThat(types(onLeader.readStream("a", 0, Direction.FORWARDS, 10))).containsExactly("A");
        assertThat(onLeader.getStreamMetadata("a").metadata().maxCount()).hasValue(5);
        assertThat(onLeader.readStream("b", 0, Direction.FORWARDS, 10)).isInstanceOf(ReadStreamResult.NotFound.class);
        assertThatThrownBy(() -> onLeader.readStream("c", 0, Direction.FORWARDS, 10))
                .isInstanceOf(StreamDeletedException.class);
    }

    @Test
    void aReadWhoseNodeStopsMovesToALiveNode() throws Exception {
        cluster = ServedCluster.start(dir);
        ServedCluster.Running leader = cluster.awaitLeader();
        leader.node().store().append("catalog", ExpectedVersion.noStream(), List.of(event("Listed")));
        cluster.awaitReplicated();
        ServedCluster.Running follower = cluster.follower();
        List<ClientOptions.Endpoint> seeds = new ArrayList<>();
        seeds.add(ServedCluster.endpoint(follower.member()));
        seeds.addAll(othersThan(follower));

        try (RemoteEventStore remote = RemoteEventStore.connect(
                ClientOptions.plaintext("127.0.0.1", 1).withSeeds(seeds).withDeadline(Duration.ofSeconds(10)))) {
            assertThat(types(remote.readStream("catalog", 0, Direction.FORWARDS, 10)))
                    .containsExactly("Listed");
            cluster.stop(follower.member().id());

            assertThat(types(remote.readStream("catalog", 0, Direction.FORWARDS, 10)))
                    .containsExactly("Listed");
            assertThat(remote.currentNode()).isNotEqualTo(ServedCluster.endpoint(follower.member()));
        }
    }

    /**
     * The client starts on the first seed and moves to the leader; the leader's node stops; the
     * next append finds the new leader through the other seeds' gossip. A subscription open on the
     * old leader stops with an error, as before; a new one opens on the current node.
     */
    @Test
    void aClientWithThreeSeedsKeepsWritingAfterTheLeadersNodeStops() throws Exception {
        cluster = ServedCluster.start(dir);
        cluster.awaitLeader();

        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.seedsUrl("kurrentdb+discover", 20_000))) {
            remote.append("orders", ExpectedVersion.noStream(), List.of(event("Before")));
            cluster.awaitReplicated();
            ServedCluster.Running old = cluster.awaitLeader();
            assertThat(remote.currentNode()).isEqualTo(ServedCluster.endpoint(old.member()));
            RecordingListener onOld = new RecordingListener();
            remote.subscribeToStream("orders", SubscribeFrom.start(), onOld);
            onOld.awaitCaughtUp(Duration.ofSeconds(10));

            cluster.stop(old.member().id());
            AppendResult after = remote.append("orders", ExpectedVersion.exactly(0), List.of(event("After")));

            ServedCluster.Running next = cluster.awaitLeader();
            assertThat(next.member().id()).isNotEqualTo(old.member().id());
            assertThat(remote.currentNode()).isEqualTo(ServedCluster.endpoint(next.member()));
            assertThat(after.streamVersion()).isEqualTo(1);
            assertThat(types(remote.readStream("orders", 0, Direction.FORWARDS, 10)))
                    .containsExactly("Before", "After");
            assertThat(onOld.awaitStopped(Duration.ofSeconds(10))).isPresent();
            RecordingListener onNew = new RecordingListener();
            try (Subscription subscription = remote.subscribeToStream("orders", SubscribeFrom.start(), onNew)) {
                assertThat(onNew.awaitEvents(2, Duration.ofSeconds(10)))
                        .extracting(RecordedEvent::type)
                        .containsExactly("Before", "After");
            }
        }
    }

    /**
     * Eight threads share one client that starts on a follower: they move to the leader together,
     * and again when the leader's node stops while they write. Every append is acknowledged, and
     * each stream holds each event once, in order.
     */
    @Test
    void threadsSharingOneClientFollowTheLeaderTogether() throws Exception {
        cluster = ServedCluster.start(dir);
        String follower = cluster.follower().member().id();
        int threads = 8;
        int appends = 20;
        CountDownLatch halfway = new CountDownLatch(threads);
        List<List<UUID>> sent = new ArrayList<>();
        try (RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 20_000));
                ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<UUID> ids = new CopyOnWriteArrayList<>();
                sent.add(ids);
                String stream = "writer-" + t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < appends; i++) {
                        UUID id = UUID.randomUUID();
                        ExpectedVersion expected = i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1);
                        remote.append(stream, expected, List.of(EventData.json(id, "Wrote", "{}", "{}")));
                        ids.add(id);
                        if (i == appends / 2) {
                            halfway.countDown();
                        }
                    }
                    return null;
                }));
            }
            assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
            cluster.awaitReplicated();
            String leader = cluster.awaitLeader().member().id();
            cluster.stop(leader);
            for (Future<?> f : done) {
                f.get(40, TimeUnit.SECONDS);
            }

            for (int t = 0; t < threads; t++) {
                List<UUID> stored = remote.readStream("writer-" + t, 0, Direction.FORWARDS, 100).events().stream()
                        .map(RecordedEvent::eventId)
                        .toList();
                assertThat(stored).as("writer-" + t).isEqualTo(sent.get(t));
            }
        }
    }

    /**
     * The leader stores an append and its answer is lost (a proxy drops it); then the leader's node
     * stops. The client, cut off, finds the new leader and sends the append again with the same
     * event ids and {@code exactly(0)}: the new leader recognises it, and the stream holds it once.
     */
    @Test
    void anExactAppendRetriedAfterAFailoverIsNotWrittenTwice() throws Exception {
        cluster = ServedCluster.start(dir);
        ServedCluster.Running leader = cluster.awaitLeader();
        try (TcpProxy proxy = TcpProxy.start(
                ServedCluster.freePort(new HashSet<>()), leader.member().clientPort())) {
            // The proxy in front of the leader first, so that the client starts there.
            List<ClientOptions.Endpoint> seeds = new ArrayList<>();
            seeds.add(new ClientOptions.Endpoint("127.0.0.1", proxy.port()));
            seeds.addAll(othersThan(leader));
            ClientOptions options = ClientOptions.plaintext("127.0.0.1", proxy.port())
                    .withSeeds(seeds)
                    .withDeadline(Duration.ofSeconds(30));
            try (RemoteEventStore remote = RemoteEventStore.connect(options)) {
                remote.append("account", ExpectedVersion.noStream(), List.of(event("Opened")));
                cluster.awaitReplicated();
                EventData deposit = EventData.json(UUID.randomUUID(), "Deposited", "{}", "{}");

                proxy.mute();
                CompletableFuture<AppendResult> retried = CompletableFuture.supplyAsync(
                        () -> remote.append("account", ExpectedVersion.exactly(0), List.of(deposit)));
                awaitStored(leader, deposit.eventId());
                assertThat(retried).isNotDone();
                cluster.stop(leader.member().id());
                proxy.close();

                AppendResult result = retried.get(40, TimeUnit.SECONDS);
                assertThat(result.streamVersion()).isEqualTo(1);
                assertThat(result.written())
                        .as("the retry found the append already stored")
                        .isFalse();
                ReadStreamResult read = remote.readStream("account", 0, Direction.FORWARDS, 10);
                assertThat(types(read)).containsExactly("Opened", "Deposited");
                assertThat(read.events().get(1).eventId()).isEqualTo(deposit.eventId());
            }
        }
    }

    private List<ClientOptions.Endpoint> othersThan(ServedCluster.Running node) {
        return Stream.of("n1", "n2", "n3")
                .filter(id -> !id.equals(node.member().id()))
                .map(id -> ServedCluster.endpoint(cluster.member(id)))
                .toList();
    }

    private static void awaitStored(ServedCluster.Running leader, UUID eventId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (leader.node().store().readStream("account", 0, Direction.FORWARDS, 10).events().stream()
                    .anyMatch(e -> e.eventId().equals(eventId))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the leader did not store the append within 20 s");
    }

    @Test
    void aSingleHostClientOfANodeThatIsDownFailsWithinItsDeadline() throws Exception {
        cluster = ServedCluster.start(dir);
        String follower = cluster.follower().member().id();
        RemoteEventStore remote = RemoteEventStore.connect(cluster.url(follower, 3_000));
        try {
            cluster.stop(follower);

            long start = System.nanoTime();
            assertThatThrownBy(() -> remote.append("s", ExpectedVersion.any(), List.of(event("Lost"))))
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("server " + ServedCluster.endpoint(cluster.member(follower)))
                    .hasMessageContaining("is unavailable")
                    .hasMessageContaining("no node answered gossip");
            assertThatThrownBy(() -> remote.readStream("s", 0, Direction.FORWARDS, 10))
                    .isInstanceOf(StoreFailedException.class)
                    .hasMessageContaining("is unavailable");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        } finally {
            remote.close();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> RemoteEventStore.connect(cluster.url(follower, 3_000)))
                .isInstanceOf(StoreFailedException.class)
                .hasMessageContaining(
                        ServedCluster.endpoint(cluster.member(follower)).toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
}
