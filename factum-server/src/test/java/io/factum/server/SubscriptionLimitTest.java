package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.eventstore.dbclient.EventStoreDBClient;
import com.eventstore.dbclient.EventStoreDBConnectionString;
import com.eventstore.dbclient.Subscription;
import com.eventstore.dbclient.SubscriptionListener;
import io.factum.server.security.ServerSecurity;
import io.factum.testkit.memory.InMemoryEventStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The per-connection subscription limit, with the official client (one connection per client). */
class SubscriptionLimitTest {

    @Test
    void aConnectionHoldsAtMostItsLimitOfSubscriptions() throws Exception {
        var limits = ServerLimits.defaults().withMaxSubscriptionsPerConnection(2);
        try (var store = new InMemoryEventStore();
                var server = FactumServer.start(
                        store,
                        new ServerOptions("127.0.0.1", 0, limits, ServerSecurity.disabled(), Clock.systemUTC()))) {
            EventStoreDBClient client = EventStoreDBClient.create(
                    EventStoreDBConnectionString.parseOrThrow("esdb://localhost:" + server.port() + "?tls=false"));
            try {
                Subscription first = client.subscribeToStream("a", new SubscriptionListener() {})
                        .get(30, TimeUnit.SECONDS);
                client.subscribeToStream("b", new SubscriptionListener() {}).get(30, TimeUnit.SECONDS);
                ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                        ExecutionException.class, () -> client.subscribeToStream("c", new SubscriptionListener() {})
                                .get(30, TimeUnit.SECONDS));
                assertThat(refused.getCause()).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("2 subscriptions");
                });
                // Stopping one frees its slot (the server hears the cancel asynchronously).
                first.stop();
                Subscription again = null;
                for (int attempt = 0; attempt < 50 && again == null; attempt++) {
                    try {
                        again = client.subscribeToStream("c", new SubscriptionListener() {})
                                .get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        Thread.sleep(100);
                    }
                }
                assertThat(again).as("a subscription after one was stopped").isNotNull();
            } finally {
                client.shutdown().get();
            }
        }
    }
}
