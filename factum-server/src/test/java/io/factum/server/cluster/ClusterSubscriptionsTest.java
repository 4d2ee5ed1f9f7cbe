package io.factum.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.CreatePersistentSubscriptionToStreamOptions;
import com.eventstore.dbclient.EventData;
import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBClientSettings;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.EventStoreDBPersistentSubscriptionsClient;
import com.eventstore.dbclient.PersistentSubscription;
import com.eventstore.dbclient.PersistentSubscriptionListener;
import com.eventstore.dbclient.ResolvedEvent;
import com.eventstore.dbclient.SubscribeToStreamOptions;
import com.eventstore.dbclient.Subscription;
import com.eventstore.dbclient.SubscriptionListener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscriptions after a failover, with the official client: a catch-up subscription resumes from
 * its checkpoint on another node with nothing missed, and a persistent subscription group created
 * on the old leader serves its consumers on the new one from its stored checkpoint.
 */
class ClusterSubscriptionsTest {
    @TempDir
    Path dir;

    private static EventData event(int n) {
        return EventData.builderAsJson("Placed", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8))
                .eventId(UUID.randomUUID())
                .build();
    }

    private static void append(EventStoreDBClient client, String stream, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            ClusterOfficialClientTest.appendRetrying(client, stream, event(i), Duration.ofSeconds(30));
        }
    }

    @Test
    void catchUpAndPersistentSubscriptionsCarryOnAfterTheLeaderIsKilled() throws Exception {
        try (ClusterProcesses cluster = new ClusterProcesses(dir, 3).startAll()) {
            String leader = cluster.awaitLeader();
            EventStoreDBClientSettings settings = EventStoreDBConnectionString.parseOrThrow(cluster.seeds("esdb"));
            EventStoreDBClient client = EventStoreDBClient.create(settings);
            EventStoreDBPersistentSubscriptionsClient ps = EventStoreDBPersistentSubscriptionsClient.create(settings);
            try {
                append(client, "orders", 0, 20);
                ps.createToStream(
                                "orders",
                                "billing",
                                CreatePersistentSubscriptionToStreamOptions.get()
                                        .fromStart()
                                        .checkpointLowerBound(1)
                                        .checkpointUpperBound(1))
                        .get(30, TimeUnit.SECONDS);
                BlockingQueue<Long> first = new LinkedBlockingQueue<>();
                PersistentSubscription consumer =
                        ps.subscribeToStream("orders", "billing", acking(first)).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    assertThat(first.poll(30, TimeUnit.SECONDS))
                            .as("delivery " + i)
                            .isNotNull();
                }
                Thread.sleep(1_500); // the group's checkpoint of the acknowledged events is written
                consumer.stop();

                cluster.kill(leader);
                append(client, "orders", 20, 30);
                assertThat(cluster.awaitLeader()).isNotEqualTo(leader);

                // The catch-up subscription resumes after revision 14, its checkpoint.
                BlockingQueue<Long> resumed = new LinkedBlockingQueue<>();
                Subscription tail = client.subscribeToStream(
                                "orders",
                                new SubscriptionListener() {
                                    @Override
                                    public void onEvent(Subscription subscription, ResolvedEvent e) {
                                        resumed.add(e.getOriginalEvent().getRevision());
                                    }
                                },
                                SubscribeToStreamOptions.get().fromRevision(14))
                        .get(30, TimeUnit.SECONDS);
                List<Long> revisions = new ArrayList<>();
                for (int i = 15; i < 30; i++) {
                    revisions.add(resumed.poll(30, TimeUnit.SECONDS));
                }
                tail.stop();
                assertThat(revisions)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(15, 30)
                                .boxed()
                                .toList());

                // The group lives on: its consumer on the new leader gets the 10 new events.
                BlockingQueue<Long> second = new LinkedBlockingQueue<>();
                Set<Long> seen = ConcurrentHashMap.newKeySet();
                PersistentSubscription again = subscribeRetrying(ps, acking(second), Duration.ofSeconds(30));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!seen.containsAll(java.util.stream.LongStream.range(20, 30)
                                .boxed()
                                .toList())
                        && System.nanoTime() < deadline) {
                    Long r = second.poll(1, TimeUnit.SECONDS);
                    if (r != null) {
                        seen.add(r);
                    }
                }
                again.stop();
                assertThat(seen)
                        .containsAll(java.util.stream.LongStream.range(20, 30)
                                .boxed()
                                .toList());
            } finally {
                ps.shutdown().get(10, TimeUnit.SECONDS);
                client.shutdown().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static PersistentSubscriptionListener acking(BlockingQueue<Long> revisions) {
        return new PersistentSubscriptionListener() {
            @Override
            public void onEvent(PersistentSubscription subscription, int retryCount, ResolvedEvent event) {
                revisions.add(event.getOriginalEvent().getRevision());
                subscription.ack(event);
            }
        };
    }

    /** A new leader restarts the groups once it has applied the log; until then the group may be missing. */
    private static PersistentSubscription subscribeRetrying(
            EventStoreDBPersistentSubscriptionsClient ps, PersistentSubscriptionListener listener, Duration within)
            throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                return ps.subscribeToStream("orders", "billing", listener).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
                Thread.sleep(200);
            }
        }
        throw new AssertionError("no consumer could join the group within " + within, last);
    }
}
